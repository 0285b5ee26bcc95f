import FlowCore
import FlowJSON
import FlowPostgres
import FlowSQLite

/// One run of a `jdbc_output` node: the transaction(s), the columns and the batches.
struct JDBCLoad {
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
        if columns.isEmpty, let first, let record = first.first {
            // Records that would write nothing are an error, not a silent no-op.
            throw RecordFeed.Failure(
                message: "record \(feed.nextIndex) has no field to write into table \(node.table): found \(TextFormat.describe(record))",
                hint: existing == nil ? "records must be objects with at least one field"
                    : "the table has \(existing!.map { JSON.quote($0.name) }.joined(separator: ", "))")
        }
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
            record(counts)
            if counts.sent == 0 { break }
            if node.commit == .batch {
                try await commit()
                if !writer.hasHeldRows, try await !feed.hasInput() { return }
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

    /// Adds what a write did to the open transaction's counts.
    private mutating func record(_ counts: WriteCounts) {
        // Live counts for progress displays; corrected by `failure` if the transaction rolls back.
        pending.written += counts.written
        pending.inserted += counts.inserted
        pending.updated += counts.updated
        pending.unchanged += counts.unchanged
        context.counters.add(counts.inserted, to: "rows_inserted")
        context.counters.add(counts.updated, to: "rows_updated")
        if node.mode == .upsert { context.counters.add(counts.unchanged, to: "rows_unchanged") }
    }

    private mutating func commit() async throws {
        record(try await writer.finishWrites())
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
            message = (record.map { "record \($0): " } ?? "") + "SQLite \(cause)"
            hint = Self.hint(for: cause)
        case let sqlite as SQLiteError:
            message = "SQLite \(sqlite)"
            hint = Self.hint(for: sqlite)
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

    static func hint(for error: any Error) -> String? {
        guard let sqlite = error as? SQLiteError, sqlite.isBusy else { return nil }
        return "another connection holds the database's write lock; under `commit: run` a writer holds it for its "
            + "whole run, so give each writer its own SQLite file or order the writers with `after:`"
    }

    static func hint(for error: PostgresError) -> String? {
        if error.isConnectionLoss { return "the connection to PostgreSQL was lost; rerun the workflow (an upsert rerun is idempotent)" }
        switch error.sqlState {
        case "21000":
            return "two records of the batch have keys the database considers equal though their values differ "
                + "(a case-insensitive or numeric key written in different forms); normalise the key values"
        case "42P10": return "`key` must match a primary key or unique constraint of the table"
        default: return nil
        }
    }
}
