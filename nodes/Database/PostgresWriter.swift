import FlowJSON
import FlowPostgres

/// Loads into PostgreSQL through COPY.
///
/// `insert` and `replace` COPY straight into the target table. `upsert` COPYs into a temporary staging
/// table (created per transaction, `ON COMMIT DROP`), then merges it with one
/// `INSERT ... SELECT ... ON CONFLICT (key) DO UPDATE` that skips rows whose values are unchanged and
/// counts inserted against updated rows with `xmax = 0`, then truncates the stage. Each batch is one
/// COPY and one merge, run while the next batch is encoded.
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
    /// Records taken from the feed but held back for the next batch.
    private var carry: Chunk?
    private var truncateSQL = ""
    /// Rows in the stage waiting for their merge (upsert; a batch streamed by its own COPY).
    private var stagedRows = 0
    /// The last batch, encoded and waiting for its COPY, and the input index of its first record.
    private var held: (rows: PostgresCopyBuffer, first: Int)?
    /// Rows encoded and not sent yet.
    private var encoded = PostgresCopyBuffer(minimumCapacity: PostgresCopyWriter.chunkSize + 4096)
    /// The batch being written: rows so far, whether it has ended, and the hashes of its keys (upsert).
    private var batchRows = 0
    private var batchEnded = false
    private var checkKeys = false
    private var keys = Set<Int>()
    /// The binary format's columns, or nil when rows are sent in the text format (`binaryColumns(_:connection:)`).
    private var binaryColumns: [PostgresCopyBinary.Column]?

    var dialect: SQLDialect { .postgres }
    var hasHeldRows: Bool { carry != nil || held != nil }

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
        stagedRows = 0
        held = nil
        try await connection.begin()
        if let plan, plan.mode == .upsert { try await createStage(plan) }
    }

    func commit() async throws { try await connection.commit() }

    func rollback() async {
        stagedRows = 0
        held = nil
        try? await connection.rollback()
    }

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
        binaryColumns = try await Self.binaryColumns(plan, connection: connection)
        encoded = PostgresCopyBuffer(minimumCapacity: PostgresCopyWriter.chunkSize + 4096, binary: binaryColumns)
        let format = binaryColumns == nil ? "" : " (FORMAT binary)"
        guard plan.mode == .upsert else {
            copySQL = "COPY \(plan.table.quoted) (\(columns)) FROM STDIN\(format)"
            return
        }
        copySQL = "COPY \(stage) (\(columns)) FROM STDIN\(format)"
        truncateSQL = "TRUNCATE \(stage)"
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

    /// How the rows are sent: in COPY's binary format when every column's type in the table has a simple
    /// binary form that the values converted for the column's declared type fit (a bigint, integer or
    /// smallint column declared an integer type, double precision a floating-point one, boolean,
    /// text/varchar/char and json/jsonb columns declared text or JSON), otherwise (nil) in the text format.
    /// The server stores the same values either way; the binary format spares it parsing the text.
    static func binaryColumns(_ plan: LoadPlan, connection: PostgresConnection) async throws -> [PostgresCopyBinary.Column]? {
        let rows = try await connection.queryAll(
            """
            SELECT a.attname, a.atttypid::int8 FROM pg_attribute a
            WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
            """, parameters: [.text(plan.table.quoted)])
        var types: [String: UInt32] = [:]
        for row in rows {
            guard let name = row.texts[0], let oid = row[1]?.int else { continue }
            types[name] = UInt32(truncatingIfNeeded: oid)
        }
        var binary: [PostgresCopyBinary.Column] = []
        for column in plan.columns {
            guard let oid = types[column.name], let wire = PostgresCopyBinary.Column(typeOID: oid) else { return nil }
            switch (column.kind, wire) {
            case (.integer, .int2), (.integer, .int4), (.integer, .int8), (.double, .float8), (.boolean, .bool),
                (.text, .text), (.json, .text), (.json, .jsonb):
                binary.append(wire)
            default:
                return nil
            }
        }
        return binary
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

    /// Writes a batch of at most `limit` records with one COPY.
    ///
    /// A batch is encoded (up to ``encodeAheadBytes``) and held; the next call has the server store it,
    /// and for upsert merge it, while it encodes the next one: the server's work and the encoding (with
    /// the work upstream) take about as long, so each hides the other instead of the two taking turns.
    /// ``finishWrites()`` writes the last batch. A batch larger than the look-ahead is streamed instead.
    func writeBatch(from feed: RecordFeed, limit: Int) async throws -> WriteCounts {
        guard let plan else { preconditionFailure("startLoad first") }
        let upsert = plan.mode == .upsert
        let firstIndex = carry?.first ?? feed.nextIndex
        var counts = WriteCounts()
        if let flush = takeFlush() {
            async let flushed = flush.run()
            startBatch(checkKeys: upsert)
            try await encodeRows(from: feed, limit: limit, maxBytes: Self.encodeAheadBytes)
            counts = try await flushed
        } else {
            startBatch(checkKeys: upsert)
            try await encodeRows(from: feed, limit: limit, maxBytes: Self.encodeAheadBytes)
        }
        guard !encoded.isEmpty else { return counts }
        if batchEnded {
            counts.sent = encoded.rowCount
            held = (encoded, firstIndex)
            // Room for a batch like this one: the held buffer's capacity grew by doubling, up to twice
            // what a batch needs, and both buffers stay allocated while the next batch is encoded.
            // Rounded up to 256 KB, so that one batch's buffer fits where another's was freed.
            let size = encoded.bytes.count + encoded.bytes.count / 8 + 4096
            encoded = PostgresCopyBuffer(minimumCapacity: (size + (256 << 10) - 1) & ~((256 << 10) - 1), binary: binaryColumns)
            return counts
        }
        do {
            counts.sent = try await connection.copyIn(copySQL, binary: binaryColumns != nil) { writer in
                while true {
                    try await writer.write(encoded)
                    if batchEnded { return }
                    try await encodeRows(from: feed, limit: limit, maxBytes: PostgresCopyWriter.chunkSize)
                    if encoded.isEmpty { return }
                }
            }
        } catch let error as PostgresError {
            throw LoadError.postgres(error, firstRecord: firstIndex)
        }
        if upsert {
            stagedRows = counts.sent
        } else {
            counts.written = counts.sent
            counts.inserted = counts.sent
        }
        return counts
    }

    /// Writes the batch held by the last `writeBatch`, and merges the stage.
    func finishWrites() async throws -> WriteCounts {
        guard let flush = takeFlush() else { return WriteCounts() }
        return try await flush.run()
    }

    /// What the server has left to do for the batches written so far, as one job; nil if nothing.
    private func takeFlush() -> Flush? {
        guard let plan, held != nil || stagedRows > 0 else { return nil }
        defer {
            held = nil
            stagedRows = 0
        }
        return Flush(
            connection: connection, copySQL: copySQL, rows: held?.rows, firstRecord: held?.first ?? 0,
            merge: plan.mode == .upsert ? [mergeSQL, truncateSQL] : [], staged: stagedRows)
    }

    /// The server's side of a batch: its COPY (of rows encoded beforehand) and, for upsert, the merge of
    /// the stage and the TRUNCATE that empties it (in place: the stage was created in this transaction),
    /// as one job on the connection's queue. A value, so that it can run in a child task while the node
    /// encodes the next batch.
    private struct Flush: Sendable {
        let connection: PostgresConnection
        let copySQL: String
        let rows: PostgresCopyBuffer?
        /// The input index of the first of `rows`, to name the record a COPY error points at.
        let firstRecord: Int
        /// The merge and TRUNCATE statements (upsert), or nothing.
        let merge: [String]
        /// Rows already in the stage, streamed by a COPY of their own.
        let staged: Int

        func run() async throws -> WriteCounts {
            var stored = 0
            var results: [[PostgresRow]] = []
            if let rows {
                do {
                    (stored, results) = try await connection.copyIn(copySQL, rows: rows, then: merge)
                } catch let error as PostgresError where error.code == .copyFailed {
                    throw LoadError.postgres(error, firstRecord: firstRecord)
                }
            } else if !merge.isEmpty {
                results = [try await connection.queryAll(merge[0])]
                try await connection.execute(merge[1])
            }
            var counts = WriteCounts()
            if merge.isEmpty {
                counts.written = stored
                counts.inserted = stored
                return counts
            }
            let row = results.first?.first
            counts.written = staged + stored
            counts.inserted = Int(row?[0]?.int ?? 0)
            counts.updated = Int(row?[1]?.int ?? 0) - counts.inserted
            counts.unchanged = counts.written - counts.inserted - counts.updated
            return counts
        }
    }

    /// The most of a batch encoded ahead and held for its COPY; a larger batch is streamed through its
    /// COPY as it is encoded.
    static let encodeAheadBytes = 2 << 20

    private func startBatch(checkKeys: Bool) {
        batchRows = 0
        batchEnded = false
        self.checkKeys = checkKeys
        keys.removeAll(keepingCapacity: true)
    }

    /// Records taken from the feed: converted rows, or documents encoded straight from their bytes
    /// (`RecordFeed+Documents`). `first` is the input index of the first.
    private enum Chunk {
        case rows(first: Int, ArraySlice<[SQLCell]>)
        case documents(first: Int, JSONDocuments, Range<Int>)

        var first: Int {
            switch self {
            case .rows(let first, _), .documents(let first, _, _): return first
            }
        }
    }

    /// Replaces `encoded` with the next rows of the batch, until it holds `maxBytes` or the batch ends:
    /// after `limit` rows, at the end of the input, or (upsert) before a key the batch already has. A key
    /// seen twice in one merge would fail it ("cannot affect row a second time"): the second record starts
    /// the next batch, so the later record wins. Keys are remembered by hash; a collision only ends the
    /// batch early.
    private func encodeRows(from feed: RecordFeed, limit: Int, maxBytes: Int) async throws {
        encoded.removeAll()
        var pendingRows = carry
        carry = nil
        while !batchEnded, encoded.bytes.count < maxBytes {
            let chunk: Chunk
            if let held = pendingRows {
                chunk = held
                pendingRows = nil
            } else if let next = try await feed.nextDocuments(limit: limit - batchRows) {
                chunk = .documents(first: next.first, next.texts, next.range)
            } else if let next = try await feed.nextChunk(limit: limit - batchRows) {
                chunk = .rows(first: next.first, next.rows[...])
            } else {
                batchEnded = true
                break
            }
            switch chunk {
            case .rows(let first, let rows):
                for (offset, row) in zip(rows.indices, rows) {
                    let full = encoded.bytes.count >= maxBytes
                    if batchRows == limit || full || (checkKeys && !keys.insert(keyHash(row)).inserted) {
                        carry = .rows(first: first + offset - rows.startIndex, rows[offset...])
                        if !full || batchRows == limit { batchEnded = true }
                        return
                    }
                    try Self.encode(row, index: first + offset - rows.startIndex, feed: feed, into: &encoded)
                    batchRows += 1
                }
            case .documents(let first, let texts, let range):
                // The row buffer and the batch's keys are worked on as locals, moved out and back:
                // this class's properties would be checked for exclusive access at every record.
                var rows = encoded
                encoded = PostgresCopyBuffer(binary: nil)
                var batchKeys = checkKeys ? keys : nil
                keys = []
                defer {
                    encoded = rows
                    keys = batchKeys ?? []
                }
                var encoder = feed.takeEncoder()
                defer { feed.putBack(encoder) }
                var stopped = false
                let keyPositions = keyPositions
                try texts.forEachDocument(in: range) { d, text in
                    let full = rows.bytes.count >= maxBytes
                    let index = first + d - range.lowerBound
                    if try batchRows == limit || full
                        || !Self.encodeDocument(text, index: index, feed: feed, encoder: &encoder, keys: &batchKeys,
                                                keyPositions: keyPositions, into: &rows)
                    {
                        carry = .documents(first: index, texts, d..<range.upperBound)
                        if !full || batchRows == limit { batchEnded = true }
                        stopped = true
                        return false
                    }
                    batchRows += 1
                    return true
                }
                if stopped { return }
            }
            if batchRows == limit { batchEnded = true }
        }
    }

    /// Encodes input document `text` (record `index`) as a row; false, writing nothing, when (upsert,
    /// `keys` not nil) its key is already in the batch.
    private static func encodeDocument(_ text: JSONText, index: Int, feed: RecordFeed, encoder: inout DocumentEncoder,
                                       keys: inout Set<Int>?, keyPositions: [Int],
                                       into rows: inout PostgresCopyBuffer) throws -> Bool {
        // A record the bytes path cannot take is converted as parsed records are (or fails as they do).
        var cells = encoder.locate(text) ? nil : try feed.convertParsed(text, index: index)
        if keys != nil {
            // Hashed as `keyHash` hashes the parsed path's cells, so batches end where they would.
            var hasher = Hasher()
            for position in keyPositions {
                var cell = cells?[position] ?? encoder.cell(text, column: position)
                if cell == nil {
                    // A key that does not convert: the parsed path's error.
                    cells = try feed.convertParsed(text, index: index)
                    cell = cells?[position]
                }
                hasher.combine(cell!)
            }
            guard keys!.insert(hasher.finalize()).inserted else { return false }
        }
        if let cells {
            try encode(cells, index: index, feed: feed, into: &rows)
            return true
        }
        let rowStart = rows.bytes.count
        if !encoder.encodeLocated(text, into: &rows) {
            rows.discardRow(from: rowStart)
            try encode(try feed.convertParsed(text, index: index), index: index, feed: feed, into: &rows)
        }
        return true
    }

    private func keyHash(_ row: [SQLCell]) -> Int {
        var hasher = Hasher()
        for position in keyPositions { hasher.combine(row[position]) }
        return hasher.finalize()
    }

    /// Encodes converted record `index` as a row; throws when a value is out of its column's range
    /// (an integer into a smallint or integer column, binary format: in the text format the server says).
    @inline(__always)
    static func encode(_ row: [SQLCell], index: Int, feed: RecordFeed, into rows: inout PostgresCopyBuffer) throws {
        let start = rows.bytes.count
        for (position, cell) in row.enumerated() {
            guard rows.append(cell) else {
                rows.discardRow(from: start)
                throw feed.outOfRange(cell, index: index, column: position, type: rows.binaryColumns?[position].typeName ?? "")
            }
        }
        rows.endRow()
    }

    func close() async { await connection.close() }
}

extension PostgresCopyBuffer {
    /// Appends a converted cell as one field; false when its column's type does not hold it (binary
    /// format).
    @inline(__always)
    mutating func append(_ cell: SQLCell) -> Bool {
        switch cell {
        case .null: appendNull()
        case .int(let i): return append(i)
        case .double(let d): append(d)
        case .bool(let b): append(b)
        case .text(let s): append(s)
        }
        return true
    }
}
