import CLibPQ

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN` and lets `body` write the rows; returns the number of rows
    /// the server stored. If `body` throws, the COPY is aborted (nothing is stored) and the error rethrown.
    ///
    ///     try await connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
    ///         for item in items { try await writer.write([.int(item.id), .text(item.name)]) }
    ///     }
    @discardableResult
    public func copyIn(_ sql: String, _ body: (PostgresCopyWriter) async throws -> Void) async throws -> Int {
        try await withOperation {
            try await handle.run { [handle] connection in
                let result = PQexec(connection, sql)
                defer { PQclear(result) }
                let status = result.map(PQresultStatus)
                guard status == PGRES_COPY_IN else {
                    if status == PGRES_COPY_OUT { drainResults(connection) }
                    if status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_OUT {
                        throw PostgresError(.copyFailed, "the statement is not a COPY ... FROM STDIN", statement: sql)
                    }
                    throw handle.error(from: result, connection: connection, code: .copyFailed, statement: sql)
                }
            }
            let writer = PostgresCopyWriter(handle: handle, statement: sql)
            do {
                try await body(writer)
                try await writer.flush()
            } catch {
                writer.isOpen = false
                let reason = "aborted by the client: \(error)"
                try? await handle.run(cancellable: false) { connection in
                    _ = PQputCopyEnd(connection, reason)
                    drainResults(connection)
                }
                throw error
            }
            writer.isOpen = false
            return try await handle.run { [handle] connection in
                guard PQputCopyEnd(connection, nil) == 1 else {
                    let error = handle.error(from: nil, connection: connection, code: .copyFailed, statement: sql)
                    drainResults(connection)
                    throw error
                }
                var stored = 0
                var failure: PostgresError?
                while let result = PQgetResult(connection) {
                    if PQresultStatus(result) == PGRES_COMMAND_OK {
                        stored = PostgresCommandResult(result).rowsAffected
                    } else if failure == nil {
                        failure = handle.error(from: result, connection: connection, code: .copyFailed, statement: sql)
                    }
                    PQclear(result)
                }
                if let failure { throw failure }
                return stored
            }
        }
    }

    /// Copies every row of `rows` with ``copyIn(_:_:)``.
    @discardableResult
    public func copyIn(_ sql: String, rows: some Sequence<[PostgresValue?]>) async throws -> Int {
        try await copyIn(sql) { writer in
            for row in rows { try await writer.write(row) }
        }
    }

    /// Copies every row of an async sequence (a stream of records, for example) with ``copyIn(_:_:)``.
    /// Rows are pulled only as fast as they are sent.
    @discardableResult
    public func copyIn<Rows: AsyncSequence>(_ sql: String, rows: Rows) async throws -> Int
    where Rows.Element == [PostgresValue?] {
        try await copyIn(sql) { writer in
            for try await row in rows { try await writer.write(row) }
        }
    }
}
