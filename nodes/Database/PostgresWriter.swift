import FlowPostgres

/// Loads into PostgreSQL through COPY.
///
/// `insert` and `replace` COPY straight into the target table. `upsert` COPYs each batch into a
/// temporary staging table (created per transaction, `ON COMMIT DROP`), then merges it with one
/// `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE` that skips rows whose values are unchanged and
/// counts inserted against updated rows with `xmax = 0`, then truncates the stage.
final class PostgresWriter: DatabaseWriter {
    let connection: PostgresConnection
    private var plan: LoadPlan?
    /// Quoted name of the staging table, in the session's temporary schema. Random, so that an unqualified
    /// target name can never resolve to it (`pg_temp` comes first in the search path).
    private let stage = "pg_temp." + SQLIdentifier.quote("flow_stage_\(String(UInt64.random(in: 0..<UInt64.max), radix: 36))")
    private var copySQL = ""
    private var mergeSQL = ""
    /// Positions of the key columns in a row (upsert).
    private var keyPositions: [Int] = []
    /// Rows taken from the feed but held back for the next batch, and the input index of the first.
    private var carry: (first: Int, rows: ArraySlice<[SQLCell]>)?

    var dialect: SQLDialect { .postgres }
    var hasHeldRows: Bool { carry != nil }

    init(connection: PostgresConnection) {
        self.connection = connection
    }

    static func connect(_ url: PostgresURL, nodeID: String) async throws -> PostgresWriter {
        let connection = try await PostgresConnection.connect(DatabaseURL.withApplicationName(url, nodeID: nodeID))
        return PostgresWriter(connection: connection)
    }

    func tableColumns(_ table: TableName) async throws -> [TableColumn]? {
        // to_regclass reads the quoted name as SQL would: the name is a parameter, never spliced.
        let rows = try await connection.queryAll(
            """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
            """, parameters: [.text(table.quoted)])
        if rows.isEmpty {
            let exists = try await connection.queryAll("SELECT to_regclass($1) IS NOT NULL", parameters: [.text(table.quoted)])
            if exists.first?[0]?.bool != true { return nil }
        }
        return rows.map { TableColumn(name: $0.texts[0] ?? "", type: $0.texts[1] ?? "text") }
    }

    func begin() async throws {
        try await connection.begin()
        if let plan, plan.mode == .upsert { try await createStage(plan) }
    }

    func commit() async throws { try await connection.commit() }

    func rollback() async { try? await connection.rollback() }

    func createTable(_ table: TableName, columns: [TableColumn], primaryKey: [String]) async throws {
        var parts = columns.map { "\(SQLIdentifier.quote($0.name)) \($0.type)" }
        if !primaryKey.isEmpty { parts.append("PRIMARY KEY (\(primaryKey.map(SQLIdentifier.quote).joined(separator: ", ")))") }
        try await connection.execute("CREATE TABLE IF NOT EXISTS \(table.quoted) (\(parts.joined(separator: ", ")))")
    }

    func deleteAll(_ table: TableName) async throws -> Int {
        // DELETE rather than TRUNCATE: readers keep seeing the old rows until the commit instead of
        // waiting on TRUNCATE's exclusive lock.
        try await connection.execute("DELETE FROM \(table.quoted)").rowsAffected
    }

    func startLoad(_ plan: LoadPlan) async throws {
        self.plan = plan
        let columns = plan.columns.map { SQLIdentifier.quote($0.name) }.joined(separator: ", ")
        guard plan.mode == .upsert else {
            copySQL = "COPY \(plan.table.quoted) (\(columns)) FROM STDIN"
            return
        }
        copySQL = "COPY \(stage) (\(columns)) FROM STDIN"
        keyPositions = plan.key.compactMap { key in plan.columns.firstIndex { $0.name == key } }
        let target = "flow_target"
        let others = plan.columns.filter { !plan.key.contains($0.name) }
        var merge = "INSERT INTO \(plan.table.quoted) AS \(target) (\(columns)) SELECT \(columns) FROM \(stage) "
            + "ON CONFLICT (\(plan.key.map(SQLIdentifier.quote).joined(separator: ", "))) "
        if others.isEmpty {
            merge += "DO NOTHING"
        } else {
            let sets = others.map { "\(SQLIdentifier.quote($0.name)) = EXCLUDED.\(SQLIdentifier.quote($0.name))" }
            let old = others.map { Self.comparable("\(target).\(SQLIdentifier.quote($0.name))", $0) }
            let new = others.map { Self.comparable("EXCLUDED.\(SQLIdentifier.quote($0.name))", $0) }
            merge += "DO UPDATE SET \(sets.joined(separator: ", ")) "
                + "WHERE (\(old.joined(separator: ", "))) IS DISTINCT FROM (\(new.joined(separator: ", ")))"
        }
        mergeSQL = "WITH merged AS (\(merge) RETURNING (\(target).xmax = 0) AS inserted) "
            + "SELECT count(*) FILTER (WHERE inserted), count(*) FROM merged"
        try await createStage(plan)
    }

    /// A column expression that supports `IS DISTINCT FROM` (json and geometric types have no equality).
    private static func comparable(_ expression: String, _ column: TableColumn) -> String {
        let type = column.type.lowercased()
        if type == "json" { return "\(expression)::jsonb" }
        if ["xml", "point", "line", "lseg", "box", "path", "polygon", "circle"].contains(type) { return "\(expression)::text" }
        return expression
    }

    private func createStage(_ plan: LoadPlan) async throws {
        // Only the loaded columns, without constraints or defaults: the target checks them on merge.
        let columns = plan.columns.map { SQLIdentifier.quote($0.name) }.joined(separator: ", ")
        try await connection.execute(
            "CREATE TEMP TABLE \(stage) ON COMMIT DROP AS SELECT \(columns) FROM \(plan.table.quoted) WITH NO DATA")
    }

    func writeBatch(from feed: RecordFeed, limit: Int) async throws -> WriteCounts {
        guard let plan else { preconditionFailure("startLoad first") }
        if carry == nil, try await feed.peek() == nil { return WriteCounts() }
        let firstIndex = carry?.first ?? feed.nextIndex
        let upsert = plan.mode == .upsert
        var counts = WriteCounts()
        do {
            counts.written = try await connection.copyIn(copySQL) { writer in
                // A key seen twice in one merge would fail it ("cannot affect row a second time"): the batch
                // ends before the second record, which starts the next batch, so the later record wins.
                var keys = Set<[SQLCell]>()
                var remaining = limit
                var pendingRows = carry
                carry = nil
                while remaining > 0 {
                    let chunk: (first: Int, rows: ArraySlice<[SQLCell]>)
                    if let held = pendingRows {
                        chunk = held
                        pendingRows = nil
                    } else if let next = try await feed.nextChunk(limit: remaining) {
                        chunk = (next.first, next.rows[...])
                    } else {
                        break
                    }
                    for (offset, row) in zip(chunk.rows.indices, chunk.rows) {
                        if upsert, !keys.insert(keyPositions.map { row[$0] }).inserted || remaining == 0 {
                            carry = (chunk.first + offset - chunk.rows.startIndex, chunk.rows[offset...])
                            return
                        }
                        try await writer.write(row.map(Self.value))
                        remaining -= 1
                    }
                }
            }
        } catch let error as PostgresError {
            throw LoadError.postgres(error, firstRecord: firstIndex)
        }
        guard upsert else {
            counts.inserted = counts.written
            return counts
        }
        let rows = try await connection.queryAll(mergeSQL)
        counts.inserted = Int(rows.first?[0]?.int ?? 0)
        counts.updated = Int(rows.first?[1]?.int ?? 0) - counts.inserted
        counts.unchanged = counts.written - counts.inserted - counts.updated
        try await connection.execute("TRUNCATE \(stage)")
        return counts
    }

    @inline(__always)
    static func value(_ cell: SQLCell) -> PostgresValue? {
        switch cell {
        case .null: return nil
        case .int(let i): return .int(i)
        case .double(let d): return .double(d)
        case .bool(let b): return .bool(b)
        case .text(let s): return .text(s)
        }
    }

    func close() async { await connection.close() }
}
