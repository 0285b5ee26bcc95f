import FlowSQLite

/// Loads into SQLite with prepared statements, one input chunk per job on the connection's queue.
///
/// `upsert` runs `INSERT ... ON CONFLICT (key) DO UPDATE SET ... WHERE (old values) IS NOT (new values)`;
/// a prepared key lookup before each row tells an insert from an update, and `changes()` tells an
/// update from an unchanged row.
final class SQLiteWriter: DatabaseWriter {
    let connection: SQLiteConnection
    private var plan: LoadPlan?
    private var insertSQL = ""
    private var existsSQL = ""
    /// Positions of the key columns in a row, bound to the lookup's `?N` of the same number.
    private var keyPositions: [Int] = []

    var dialect: SQLDialect { .sqlite }
    var hasHeldRows: Bool { false }

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    static func open(path: String) async throws -> SQLiteWriter {
        SQLiteWriter(connection: try await SQLiteConnection.open(path: path))
    }

    func tableColumns(_ table: TableName) async throws -> [TableColumn]? {
        let rows = try await connection.withDatabase { database in
            try database.query(
                "SELECT name, type FROM pragma_table_info(?1, ?2)",
                [.text(table.name), .text(table.schema ?? "main")])
        }
        if rows.isEmpty { return nil }
        return rows.map { row in
            func text(_ value: SQLiteValue) -> String { if case .text(let s) = value { return s } else { return "" } }
            return TableColumn(name: text(row[0]), type: text(row[1]))
        }
    }

    func begin() async throws {
        // IMMEDIATE: take the write lock now rather than fail with SQLITE_BUSY half-way through.
        try await connection.withDatabase { try $0.execute("BEGIN IMMEDIATE") }
    }

    func commit() async throws {
        try await connection.withDatabase { try $0.execute("COMMIT") }
    }

    func rollback() async {
        _ = try? await connection.withDatabase { try $0.execute("ROLLBACK") }
    }

    func createTable(_ table: TableName, columns: [TableColumn], primaryKey: [String]) async throws {
        var parts = columns.map { "\(SQLIdentifier.quote($0.name)) \($0.type)" }
        if !primaryKey.isEmpty { parts.append("PRIMARY KEY (\(primaryKey.map(SQLIdentifier.quote).joined(separator: ", ")))") }
        let sql = "CREATE TABLE IF NOT EXISTS \(table.quoted) (\(parts.joined(separator: ", ")))"
        try await connection.withDatabase { try $0.execute(sql) }
    }

    func deleteAll(_ table: TableName) async throws -> Int {
        let sql = "DELETE FROM \(table.quoted)"
        return try await connection.withDatabase { database in
            try database.execute(sql)
            return database.changes
        }
    }

    func startLoad(_ plan: LoadPlan) async throws {
        self.plan = plan
        let names = plan.columns.map { SQLIdentifier.quote($0.name) }
        let placeholders = (1...max(1, names.count)).map { "?\($0)" }.joined(separator: ", ")
        insertSQL = "INSERT INTO \(plan.table.quoted) (\(names.joined(separator: ", "))) VALUES (\(placeholders))"
        guard plan.mode == .upsert else { return }
        let keys = plan.key.map(SQLIdentifier.quote)
        let others = plan.columns.map(\.name).filter { !plan.key.contains($0) }.map(SQLIdentifier.quote)
        insertSQL += " ON CONFLICT (\(keys.joined(separator: ", "))) "
        if others.isEmpty {
            insertSQL += "DO NOTHING"
        } else {
            insertSQL += "DO UPDATE SET " + others.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
                + " WHERE (\(others.joined(separator: ", "))) IS NOT (\(others.map { "excluded.\($0)" }.joined(separator: ", ")))"
        }
        keyPositions = plan.key.compactMap { key in plan.columns.firstIndex { $0.name == key } }
        existsSQL = "SELECT 1 FROM \(plan.table.quoted) WHERE "
            + zip(keys, keyPositions).map { "\($0) = ?\($1 + 1)" }.joined(separator: " AND ")
    }

    func writeBatch(from feed: RecordFeed, limit: Int) async throws -> WriteCounts {
        guard plan != nil else { preconditionFailure("startLoad first") }
        // One queue job per input chunk: memory holds one input batch whatever `batch_size` is.
        var counts = WriteCounts()
        var remaining = limit
        while let chunk = try await feed.nextChunk(limit: remaining) {
            remaining -= chunk.rows.count
            let part = try await write(chunk.rows.map { $0.map(Self.value) }, first: chunk.first)
            counts.sent += part.written
            counts.written += part.written
            counts.inserted += part.inserted
            counts.updated += part.updated
            counts.unchanged += part.unchanged
        }
        return counts
    }

    /// Binds and steps `rows` on the connection's queue; `first` is the input index of the first row.
    private func write(_ rows: [[SQLiteValue]], first: Int) async throws -> WriteCounts {
        let (insertSQL, existsSQL, keyPositions, upsert) = (insertSQL, existsSQL, keyPositions, plan?.mode == .upsert)
        return try await connection.withDatabase { database in
            var counts = WriteCounts()
            let insert: SQLiteStatement
            let exists: SQLiteStatement?
            do {
                insert = try database.prepare(insertSQL)
                exists = upsert ? try database.prepare(existsSQL) : nil
            } catch {
                throw LoadError.sqlite(error, record: nil)
            }
            for (offset, row) in rows.enumerated() {
                do {
                    var existed = false
                    if let exists {
                        exists.reset()
                        for position in keyPositions { try exists.bind(row[position], at: Int32(position + 1)) }
                        existed = try exists.step()
                    }
                    insert.reset()
                    try insert.bind(row)
                    _ = try insert.step()
                    counts.written += 1
                    if database.changes == 0 {
                        counts.unchanged += 1
                    } else if existed {
                        counts.updated += 1
                    } else {
                        counts.inserted += 1
                    }
                } catch {
                    throw LoadError.sqlite(error, record: first + offset)
                }
            }
            return counts
        }
    }

    @inline(__always)
    static func value(_ cell: SQLCell) -> SQLiteValue {
        switch cell {
        case .null: return .null
        case .int(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .bool(let b): return .integer(b ? 1 : 0)
        case .text(let s): return .text(s)
        }
    }

    func finishWrites() async throws -> WriteCounts { WriteCounts() }

    func close() async {}
}
