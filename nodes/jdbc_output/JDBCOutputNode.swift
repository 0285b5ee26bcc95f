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
        url = DatabaseURL.parse(config, context, into: &diagnostics)

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

    /// PostgreSQL rows are encoded for COPY straight from JSON text (`RecordFeed+Documents`); SQLite
    /// binds parsed values.
    var readsDocuments: Bool {
        if case .postgres = url { return true }
        return false
    }

    /// Batches of rows are not aligned with checkpoints yet: rows received before a checkpoint may
    /// still be in an open transaction (`commit: batch`) or wait for the end of the run (`commit: run`).
    var checkpointLimitation: String? {
        commit == .run
            ? "`commit: run` commits only when the run ends"
            : "its batches are not committed at checkpoints yet (`commit: batch` follows `batch_size`)"
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
        var load = JDBCLoad(node: self, writer: writer, feed: RecordFeed(input), context: context)
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
