import CLibPQ

extension PostgresConnection {
    /// Runs `COPY table (columns) FROM STDIN` and lets `body` write the rows; returns the number of rows
    /// the server stored. If `body` throws, the COPY is aborted (nothing is stored) and the error rethrown.
    /// `binary`: a COPY in the binary format (`... FROM STDIN (FORMAT binary)`), whose header and trailer
    /// are sent here; `body` writes ``PostgresCopyBuffer``s of that format.
    ///
    ///     try await connection.copyIn("COPY items (id, name) FROM STDIN") { writer in
    ///         for item in items { try await writer.write([.int(item.id), .text(item.name)]) }
    ///     }
    @discardableResult
    public func copyIn(_ sql: String, binary: Bool = false, _ body: (PostgresCopyWriter) async throws -> Void) async throws -> Int {
        try await withOperation {
            try await handle.run { [handle] connection in
                try startCopy(connection, handle, sql)
                if binary { try putCopyData(connection, handle, sql, PostgresCopyBinary.header) }
            }
            let writer = PostgresCopyWriter(handle: handle, statement: sql, binary: binary)
            do {
                try await body(writer)
                try await writer.flush()
                if binary {
                    try await handle.run { [handle] connection in
                        try putCopyData(connection, handle, sql, PostgresCopyBinary.trailer)
                    }
                }
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
            return try await handle.run { [handle] connection in try endCopy(connection, handle, sql) }
        }
    }

    /// Runs `COPY ... FROM STDIN` with rows encoded beforehand, then each of `statements` (without
    /// parameters; their rows are read whole), all in one job on the connection's queue. Nothing in
    /// between waits for the caller's executor, whose threads may be busy (encoding the next rows, for
    /// example), and the server goes from one statement to the next without a pause. Returns the number of
    /// rows the COPY stored and the rows of each statement. Stops at the first failure; a failure of the
    /// COPY itself is a ``PostgresError/Code/copyFailed``.
    public func copyIn(
        _ sql: String, rows: PostgresCopyBuffer, then statements: [String] = []
    ) async throws -> (stored: Int, results: [[PostgresRow]]) {
        try await withOperation {
            try await handle.run { [handle] connection in
                try startCopy(connection, handle, sql)
                if rows.isBinary { try putCopyData(connection, handle, sql, PostgresCopyBinary.header) }
                let bytes = rows.bytes
                var start = 0
                while start < bytes.count {
                    let end = min(start + PostgresCopyWriter.chunkSize, bytes.count)
                    try bytes.withUnsafeBufferPointer { all in
                        try putCopyData(connection, handle, sql, UnsafeBufferPointer(rebasing: all[start..<end]))
                    }
                    start = end
                }
                if rows.isBinary { try putCopyData(connection, handle, sql, PostgresCopyBinary.trailer) }
                let stored = try endCopy(connection, handle, sql)
                let results = try statements.map { statement in
                    guard PQsendQueryParams(connection, statement, 0, nil, nil, nil, nil, 0) == 1 else {
                        throw handle.error(from: nil, connection: connection, code: .queryFailed, statement: statement)
                    }
                    _ = PQsetSingleRowMode(connection)
                    return try RowBatch.read(connection, handle: handle, limit: .max, columns: nil, statement: statement).rows
                }
                return (stored, results)
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

/// Starts a `COPY ... FROM STDIN`; on the connection's queue.
private func startCopy(_ connection: OpaquePointer, _ handle: LibPQConnection, _ sql: String) throws {
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

/// Sends COPY data; on the connection's queue.
func putCopyData(_ connection: OpaquePointer, _ handle: LibPQConnection, _ sql: String, _ bytes: UnsafeBufferPointer<UInt8>) throws {
    guard !bytes.isEmpty else { return }
    let sent = bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
        PQputCopyData(connection, $0, Int32(bytes.count))
    }
    guard sent == 1 else {
        let error = handle.error(from: nil, connection: connection, code: .copyFailed, statement: sql)
        drainResults(connection)
        throw error
    }
}

func putCopyData(_ connection: OpaquePointer, _ handle: LibPQConnection, _ sql: String, _ bytes: [UInt8]) throws {
    try bytes.withUnsafeBufferPointer { try putCopyData(connection, handle, sql, $0) }
}

/// Ends a COPY and returns the number of rows the server stored; on the connection's queue.
private func endCopy(_ connection: OpaquePointer, _ handle: LibPQConnection, _ sql: String) throws -> Int {
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
