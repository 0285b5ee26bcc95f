import CLibPQ

/// Rows read from libpq in one queue job.
struct RowBatch: Sendable {
    var columns: [PostgresColumn]?
    var rows: [PostgresRow] = []
    var finished = false
    var commandTag: String?

    /// Reads up to `limit` single-row results; stops early at the end of the query. Runs on the queue.
    static func read(
        _ connection: OpaquePointer, handle: LibPQConnection, limit: Int, columns known: [PostgresColumn]?,
        statement: String
    ) throws -> RowBatch {
        var batch = RowBatch(columns: known)
        while batch.rows.count < limit {
            guard let result = PQgetResult(connection) else {
                batch.finished = true
                return batch
            }
            // Each single-row PGresult is ours to PQclear; its values are copied into Swift strings first.
            defer { PQclear(result) }
            let status = PQresultStatus(result)
            switch status {
            case PGRES_SINGLE_TUPLE:
                let columns = batch.columns ?? readColumns(result)
                batch.columns = columns
                var texts: [String?] = []
                texts.reserveCapacity(columns.count)
                for column in 0..<Int32(columns.count) {
                    if PQgetisnull(result, 0, column) != 0 {
                        texts.append(nil)
                    } else {
                        let length = Int(PQgetlength(result, 0, column))
                        let text = PQgetvalue(result, 0, column).withMemoryRebound(to: UInt8.self, capacity: length) {
                            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
                        }
                        texts.append(text)
                    }
                }
                batch.rows.append(PostgresRow(columns: columns, texts: texts))
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                // The end of the statement: zero-row results still describe the columns.
                if batch.columns == nil, status == PGRES_TUPLES_OK { batch.columns = readColumns(result) }
                batch.commandTag = PQcmdStatus(result).map { String(cString: $0) }
            default:
                let error = handle.error(from: result, connection: connection, code: .queryFailed, statement: statement)
                drainResults(connection)
                throw error
            }
        }
        return batch
    }

    private static func readColumns(_ result: OpaquePointer) -> [PostgresColumn] {
        (0..<PQnfields(result)).map { index in
            PostgresColumn(
                name: PQfname(result, index).map { String(cString: $0) } ?? "",
                typeOID: UInt32(PQftype(result, index)))
        }
    }
}
