import FlowCore
import FlowJSON
import FlowPostgres
import FlowSQLite

/// Writes records into a SQLite or PostgreSQL table named by URL: insert, upsert on key columns, or
/// replace the table's content; one transaction for the whole run unless `commit: batch`.
struct JDBCOutputNode: Node {
    static let spec = NodeSpec(
        type: "jdbc_output",
        summary: "Write records to a SQLite or PostgreSQL table: insert, upsert on a key, or replace the content, in one transaction per run.",
        inputs: .required,
        producesRecords: false,
        fields: [
            FieldSpec("url", .string, required: true, secret: true,
                      "The database: `sqlite:PATH` (relative to the workflow file), `sqlite::memory:`, `postgresql://user:password@host:port/db?sslmode=...` (also `postgres://`), or the JDBC forms `jdbc:sqlite:PATH` and `jdbc:postgresql://host:port/db?user=...&password=...`. The password is masked everywhere."),
            FieldSpec("table", .string, required: true,
                      "The table, optionally qualified: `products`, `sales.products`. Read as SQL reads names: unquoted parts fold to lower case, `\"Odd Name\"` is taken literally (double a quote inside)."),
            FieldSpec("mode", .choice(LoadPlan.Mode.allCases.map(\.rawValue)), default: "insert",
                      "`insert` adds rows; `upsert` inserts or updates rows by `key`; `replace` deletes the table's rows and inserts the new ones in the same transaction, so readers never see it empty."),
            FieldSpec("key", .oneOf([.string, .list(.string)]),
                      "The key columns of `upsert` (a primary key or unique constraint must cover them; a table created by the node gets them as primary key)."),
            FieldSpec("columns", .map(.string),
                      "Column name -> SQL type (`id: BIGINT`, `price: numeric(10,2)`), in table order: the columns written and their types, used to create the table and to check values. Without it the table's own columns are used, or, for a new table, types inferred from the first records (see docs/databases.md)."),
            FieldSpec("create", .boolean, default: true,
                      "Create the table when it does not exist; with `false` a missing table fails the node."),
            FieldSpec("batch_size", .integer, default: 10000,
                      "Records written per batch (one COPY and merge on PostgreSQL, one prepared-statement loop on SQLite)."),
            FieldSpec("commit", .choice(CommitPolicy.allCases.map(\.rawValue)), default: "run",
                      "`run`: one transaction for the whole run, so a failed run leaves the table as it was; `batch`: commit after each batch (a failure keeps the batches already committed)."),
            FieldSpec("extra", .choice(RecordFeed.Extra.allCases.map(\.rawValue)), default: "error",
                      "What a record field that is not a written column does: `error` fails the node naming the field, `ignore` drops it."),
        ],
        example: """
            store:
              type: jdbc_output
              input: products
              url: ${params.database}
              table: products
              mode: upsert
              key: [id]
              columns: { id: BIGINT, title: TEXT, price: DOUBLE PRECISION }
            """)

    enum CommitPolicy: String, CaseIterable, Sendable {
        case run
        case batch
    }

    let url: DatabaseURL
    let table: TableName
    let mode: LoadPlan.Mode
    let key: [String]
    /// Declared columns, in order; nil to use the table's or infer them.
    let columns: [TableColumn]?
    let create: Bool
    let batchSize: Int
    let commit: CommitPolicy
    let extra: RecordFeed.Extra

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        var parsedURL = DatabaseURL.sqlite(path: ":memory:")
        do {
            parsedURL = try DatabaseURL(config.string("url") ?? "", resolvePath: context.resolvePath)
        } catch {
            diagnostics.append(config.error(error.description, field: "url"))
        }
        url = parsedURL

        var parsedTable = TableName(schema: nil, name: "")
        do {
            let parts = try PostgresIdentifier.split(config.string("table") ?? "")
            guard parts.count <= 2 else { throw TableNameError() }
            parsedTable = TableName(schema: parts.count == 2 ? parts[0] : nil, name: parts[parts.count - 1])
        } catch is TableNameError {
            diagnostics.append(config.error("`table` has more than two parts; write `table` or `schema.table`", field: "table"))
        } catch {
            diagnostics.append(config.error(
                "invalid table name: \((error as? PostgresError)?.message ?? "\(error)")", field: "table",
                hint: "quote a name with spaces or punctuation: `table: '\"My Table\"'` (double any quote inside)"))
        }
        table = parsedTable

        mode = config.string("mode").flatMap(LoadPlan.Mode.init) ?? .insert
        key = config.strings("key") ?? []
        create = config.bool("create") ?? true
        batchSize = config.int("batch_size") ?? 10000
        commit = config.string("commit").flatMap(CommitPolicy.init) ?? .run
        extra = config.string("extra").flatMap(RecordFeed.Extra.init) ?? .error
        if let written = config.value("columns")?.objectValue {
            columns = written.map { TableColumn(name: $0.key, type: $0.value.stringValue ?? "TEXT") }
            for (name, type) in written {
                let text = type.stringValue ?? ""
                if text.trimmingSpaces().isEmpty {
                    diagnostics.append(config.error("column `\(name)` needs a SQL type", field: "columns", name,
                                                    hint: "for example `\(name): TEXT`"))
                } else if !Self.isPlainType(text) {
                    // The type is the one part of the generated SQL that is written as it is: keep it a type.
                    diagnostics.append(config.error(
                        "the type of column `\(name)` may contain only letters, digits, spaces, `_`, `.`, `,`, `(`, `)`, `[`, `]`",
                        field: "columns", name, hint: "for example `numeric(10,2)`, `varchar(40)`, `timestamp with time zone`, `text[]`"))
                }
            }
        } else {
            columns = nil
        }

        if batchSize < 1 {
            diagnostics.append(config.error("`batch_size` must be at least 1", field: "batch_size"))
        }
        if mode == .upsert, key.isEmpty {
            diagnostics.append(config.error("`mode: upsert` needs `key`: the columns that identify a row", field: "mode",
                                            hint: "add `key: [id]`"))
        }
        if mode != .upsert, config.isSet("key") {
            diagnostics.append(config.error("`key` is used only by `mode: upsert`", field: "key",
                                            hint: "set `mode: upsert` or remove `key`"))
        }
        if let columns {
            for name in key where !columns.contains(where: { $0.name == name }) {
                diagnostics.append(config.error(
                    "key column `\(name)` is not in `columns`", field: "key",
                    hint: Suggestions.hint(for: name, in: columns.map(\.name)) ?? "add it to `columns`"))
            }
        }
        if mode == .replace, commit == .batch {
            diagnostics.append(config.error(
                "`mode: replace` needs `commit: run`: with per-batch commits readers would see a partly loaded table",
                field: "commit", hint: "remove `commit: batch`"))
        }
        if diagnostics.hasErrors { throw diagnostics }
    }

    struct TableNameError: Error {}

    /// A SQL type name such as `numeric(10,2)` or `timestamp with time zone`: no quotes, semicolons or comments.
    static func isPlainType(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar)
                || " _.,()[]".unicodeScalars.contains(scalar)
        }
    }

    func run(_ context: NodeContext) async throws {
        let input = try context.requireInput()
        let writer: any DatabaseWriter
        do {
            switch url {
            case .sqlite(let path): writer = try await SQLiteWriter.open(path: path)
            case .postgres(let postgres): writer = try await PostgresWriter.connect(postgres, nodeID: context.nodeID)
            }
        } catch {
            throw NodeError(nodeID: context.nodeID, message: "cannot open \(url.maskedDescription): \(error)")
        }
        var load = Load(node: self, writer: writer, feed: RecordFeed(input), context: context)
        do {
            try await load.run()
            await writer.close()
        } catch {
            let inTransaction = load.inTransaction
            if inTransaction { await writer.rollback() }
            await writer.close()
            load.reportRollback()
            throw load.failure(error)
        }
    }
}

/// One run of a `jdbc_output` node: the transaction(s), the columns and the batches.
struct Load {
    let node: JDBCOutputNode
    let writer: any DatabaseWriter
    let feed: RecordFeed
    let context: NodeContext
    private(set) var inTransaction = false
    private var committedBatches = 0
    private var committedRows = 0
    /// What the open transaction has written: reported as rolled back if it does not commit.
    private var pending = WriteCounts()
    private var pendingDeleted = 0
    /// What committed transactions wrote.
    private var committed = WriteCounts()
    private var committedDeleted = 0
    private var columns: [TableColumn] = []

    init(node: JDBCOutputNode, writer: any DatabaseWriter, feed: RecordFeed, context: NodeContext) {
        self.node = node
        self.writer = writer
        self.feed = feed
        self.context = context
    }

    var dialect: SQLDialect { writer.dialect }

    mutating func run() async throws {
        try await writer.begin()
        inTransaction = true
        let existing = try await writer.tableColumns(node.table)
        let first = try await feed.peek()
        columns = try chooseColumns(existing: existing, first: first)
        if existing == nil {
            guard node.create else {
                throw RecordFeed.Failure(
                    message: "table \(node.table) does not exist in \(node.url.maskedDescription)",
                    hint: "create it first, or set `create: true` to create it from `columns` or the first records")
            }
            guard !columns.isEmpty else {
                // No records and no declared columns: nothing to create from.
                context.logger.info("no records and no `columns`: table \(node.table) not created")
                try await writer.commit()
                inTransaction = false
                return
            }
            try await writer.createTable(node.table, columns: columns, primaryKey: node.mode == .upsert ? node.key : [])
        }
        for name in node.key where !columns.contains(where: { $0.name == name }) {
            throw RecordFeed.Failure(
                message: "key column \(JSON.quote(name)) is not among the columns written (\(columns.map { JSON.quote($0.name) }.joined(separator: ", ")))",
                hint: "records must have the key fields; check `key` and the field names")
        }
        feed.configure(columns: columns, tableColumns: (existing ?? columns).map(\.name), extra: node.extra, dialect: dialect)
        let plan = LoadPlan(table: node.table, columns: columns, mode: node.mode, key: node.key)
        if columns.isEmpty {
            if node.mode == .replace { try await deleteAll() }
            try await commit()
            return
        }
        try await writer.startLoad(plan)
        if node.mode == .replace { try await deleteAll() }
        while true {
            let counts = try await writer.writeBatch(from: feed, limit: node.batchSize)
            if counts.written == 0 { break }
            // Live counts for progress displays; corrected by `failure` if the transaction rolls back.
            pending.written += counts.written
            pending.inserted += counts.inserted
            pending.updated += counts.updated
            pending.unchanged += counts.unchanged
            context.counters.add(counts.inserted, to: "rows_inserted")
            context.counters.add(counts.updated, to: "rows_updated")
            if node.mode == .upsert { context.counters.add(counts.unchanged, to: "rows_unchanged") }
            if node.commit == .batch {
                try await commit()
                if try await feed.peek() == nil { return }
                try await writer.begin()
                inTransaction = true
            }
        }
        if inTransaction { try await commit() }
    }

    private mutating func deleteAll() async throws {
        let deleted = try await writer.deleteAll(node.table)
        pendingDeleted += deleted
        context.counters.add(deleted, to: "rows_deleted")
    }

    private mutating func commit() async throws {
        try await writer.commit()
        inTransaction = false
        committedBatches += 1
        committedRows += pending.written
        committed.written += pending.written
        committed.inserted += pending.inserted
        committed.updated += pending.updated
        committed.unchanged += pending.unchanged
        committedDeleted += pendingDeleted
        pending = WriteCounts()
        pendingDeleted = 0
        context.counters.set(committedBatches, for: "batches_committed")
    }

    /// After a rollback the metrics say what is in the database: the committed counts, and how many
    /// written rows were rolled back.
    func reportRollback() {
        guard pending.written > 0 || pendingDeleted > 0 else { return }
        context.counters.set(committed.inserted, for: "rows_inserted")
        context.counters.set(committed.updated, for: "rows_updated")
        if node.mode == .upsert { context.counters.set(committed.unchanged, for: "rows_unchanged") }
        if node.mode == .replace { context.counters.set(committedDeleted, for: "rows_deleted") }
        context.counters.set(pending.written, for: "rows_rolled_back")
    }

    /// The columns to write: declared ones; else the table's, restricted to the fields of the first
    /// records; else inferred from the first records.
    func chooseColumns(existing: [TableColumn]?, first: ArraySlice<JSON>?) throws -> [TableColumn] {
        if let declared = node.columns {
            if let existing {
                for column in declared where !existing.contains(where: { $0.name == column.name }) {
                    throw RecordFeed.Failure(
                        message: "column \(JSON.quote(column.name)) in `columns` is not in table \(node.table)",
                        hint: (Suggestions.hint(for: column.name, in: existing.map(\.name)).map { $0 + "; " } ?? "")
                            + "the table has \(existing.map { JSON.quote($0.name) }.joined(separator: ", "))")
                }
            }
            return declared
        }
        var names: [String] = []
        var seen: Set<String> = []
        for record in first ?? [] {
            guard case .object(let object) = record else { continue }
            for name in object.keys where seen.insert(name).inserted { names.append(name) }
        }
        if let existing {
            var chosen: [TableColumn] = []
            for name in names {
                if let column = existing.first(where: { $0.name == name }) {
                    chosen.append(column)
                } else if node.extra == .error {
                    throw RecordFeed.Failure(
                        message: "record field \(JSON.quote(name)) is not a column of table \(node.table)",
                        hint: (Suggestions.hint(for: name, in: existing.map(\.name)).map { $0 + "; " } ?? "")
                            + "the table has \(existing.map { JSON.quote($0.name) }.joined(separator: ", ")); `extra: ignore` drops unknown fields")
                }
            }
            return chosen
        }
        return names.map { name in
            let values = (first ?? []).map { $0.objectValue?[name] ?? .null }
            return TableColumn(name: name, type: TypeInference.sqlType(for: values, dialect: dialect))
        }
    }

    /// The node's error for a failed load: the cause, where in the input, and what was committed.
    func failure(_ error: any Error) -> NodeError {
        var message: String
        var hint: String?
        switch error {
        case let failure as RecordFeed.Failure:
            message = failure.message
            hint = failure.hint
        case LoadError.postgres(let postgres, let firstRecord):
            message = Self.describe(postgres, firstRecord: firstRecord)
            hint = Self.hint(for: postgres)
        case LoadError.sqlite(let cause, let record):
            message = (record.map { "record \($0): " } ?? "") + "\(cause)"
        case let postgres as PostgresError:
            message = "\(postgres)"
            hint = Self.hint(for: postgres)
        case is CancellationError:
            return NodeError(nodeID: context.nodeID, message: "cancelled")
        default:
            message = "\(error)"
        }
        switch node.commit {
        case .run:
            message += "; nothing was committed: \(node.table) is as it was before the run"
        case .batch:
            message += committedBatches == 0
                ? "; nothing was committed"
                : "; \(committedBatches) batch(es) (\(committedRows) rows) were committed before the failure"
        }
        return NodeError(nodeID: context.nodeID, message: context.masker.mask(message), hint: hint)
    }

    /// A COPY error names the line of the batch: turn it into the record's index in the input.
    static func describe(_ error: PostgresError, firstRecord: Int) -> String {
        // A lost connection names the line COPY had reached, not a record at fault.
        guard !error.isConnectionLoss, let context = error.context,
              let range = context.firstRange(of: ", line ") else { return "\(error)" }
        let digits = context[range.upperBound...].prefix { $0.isNumber }
        guard let line = Int(digits) else { return "\(error)" }
        var column = ""
        if let columnRange = context.firstRange(of: ", column ") {
            let name = context[columnRange.upperBound...].prefix { $0 != ":" }
            column = ", column \(JSON.quote(String(name)))"
        }
        return "record \(firstRecord + line - 1)\(column): \(error)"
    }

    static func hint(for error: PostgresError) -> String? {
        if error.isConnectionLoss { return "the connection to PostgreSQL was lost; rerun the workflow (an upsert rerun is idempotent)" }
        switch error.sqlState {
        case "21000": return "the batch has two records with the same key; upsert needs unique keys within a batch"
        case "42P10": return "`key` must match a primary key or unique constraint of the table"
        default: return nil
        }
    }
}
