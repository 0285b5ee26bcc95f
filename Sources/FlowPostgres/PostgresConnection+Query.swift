import CLibPQ

extension PostgresConnection {
    /// Runs a query and hands its rows to `body` as they stream from the server.
    ///
    /// Rows are fetched in single-row mode, at most `batchSize` at a time and only when `body` asks for
    /// more, so a result of any size never sits in memory. If `body` returns or throws before reading
    /// every row, the query is cancelled on the server and the rest discarded.
    ///
    ///     let total = try await connection.query("SELECT n FROM generate_series(1, $1) n", parameters: [1000]) {
    ///         rows in try await rows.reduce(0) { $0 + ($1[0]?.int ?? 0) }
    ///     }
    public func query<Result>(
        _ sql: String, parameters: [PostgresValue?] = [], batchSize: Int = 1000,
        _ body: (PostgresRowSequence) async throws -> Result
    ) async throws -> Result {
        precondition(batchSize > 0, "batchSize must be positive")
        let texts = try Self.parameterTexts(parameters, statement: sql)
        return try await withOperation {
            let first = try await handle.run { [handle] connection in
                let sent = withOptionalCStrings(texts) { values in
                    PQsendQueryParams(connection, sql, Int32(texts.count), nil, values, nil, nil, 0)
                }
                guard sent == 1 else {
                    throw handle.error(from: nil, connection: connection, code: .queryFailed, statement: sql)
                }
                // Fails only when called at the wrong time, which the line above rules out.
                _ = PQsetSingleRowMode(connection)
                return try RowBatch.read(
                    connection, handle: handle, limit: batchSize, columns: nil, statement: sql)
            }
            let rows = PostgresRowSequence(handle: handle, statement: sql, batchSize: batchSize, first: first)
            let result: Result
            do {
                result = try await body(rows)
            } catch {
                try? await rows.finish()
                throw error
            }
            try await rows.finish()
            return result
        }
    }

    /// Runs a query and returns all its rows. For results that fit in memory; stream the others with
    /// ``query(_:parameters:batchSize:_:)``.
    public func queryAll(_ sql: String, parameters: [PostgresValue?] = []) async throws -> [PostgresRow] {
        try await query(sql, parameters: parameters) { rows in
            var all: [PostgresRow] = []
            for try await row in rows { all.append(row) }
            return all
        }
    }
}
