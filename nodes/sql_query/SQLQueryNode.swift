import FlowCore
import FlowJSON
import FlowPostgres
import FlowSQLite

/// Runs a query on SQLite or PostgreSQL and streams its rows as records: PostgreSQL in single-row
/// mode, SQLite by stepping the statement, a batch at a time and only as fast as the output accepts.
struct SQLQueryNode: Node {
    static let spec = NodeSpec(
        type: "sql_query",
        summary: "Run a SQL query on SQLite or PostgreSQL and emit each row as a record, streamed in batches.",
        inputs: .none,
        fields: [
            FieldSpec("url", .string, required: true, secret: true,
                      "The database, as for `jdbc_output`: `sqlite:PATH`, `sqlite::memory:`, `postgresql://...`, `postgres://...`, `jdbc:sqlite:PATH`, `jdbc:postgresql://...`. The password is masked everywhere."),
            FieldSpec("query", .string, required: true,
                      "The SQL query. Use `$1`, `$2`... for values from `params`; never put values in the text."),
            FieldSpec("params", .list(.any),
                      "Values bound to `$1`, `$2`... in order (`${params.x}` is resolved when the run starts). Strings, numbers, booleans, null; lists and mappings are sent as JSON."),
            FieldSpec("batch_size", .integer, default: 1000,
                      "Rows fetched from the database at a time; no more are fetched until the records are sent on."),
        ],
        example: """
            customers:
              type: sql_query
              url: ${params.database}
              query: SELECT id, name, country FROM customers WHERE country = $1 AND created_at >= $2
              params: [ "${params.country}", "2024-01-01" ]
            """)

    let url: DatabaseURL
    let query: String
    let sqliteQuery: String
    let params: [JSON]
    let batchSize: Int

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        url = DatabaseURL.parse(config, context, into: &diagnostics)
        query = config.string("query") ?? ""
        params = config.value("params")?.arrayValue ?? []
        batchSize = config.int("batch_size") ?? 1000
        let scan = SQLParameters(query)
        sqliteQuery = scan.sqliteText
        if scan.highest > params.count {
            diagnostics.append(config.error(
                "`query` uses $\(scan.highest) but `params` has \(params.count) value(s)", field: "query",
                hint: "give one value in `params` for each of $1...$\(scan.highest)"))
        }
        if batchSize < 1 {
            diagnostics.append(config.error("`batch_size` must be at least 1", field: "batch_size"))
        }
        if query.trimmingSpaces().isEmpty {
            diagnostics.append(config.error("`query` is empty", field: "query"))
        }
        if diagnostics.hasErrors { throw diagnostics }
    }

    func run(_ context: NodeContext) async throws {
        do {
            switch url {
            case .postgres(let postgres): try await runPostgres(postgres, context)
            case .sqlite(let path): try await runSQLite(path, context)
            }
        } catch let error as NodeError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw NodeError(nodeID: context.nodeID, message: context.masker.mask("query failed on \(url.maskedDescription): \(error)"))
        }
    }

    // MARK: PostgreSQL

    func runPostgres(_ url: PostgresURL, _ context: NodeContext) async throws {
        let connection = try await PostgresConnection.connect(DatabaseURL.withApplicationName(url, nodeID: context.nodeID))
        do {
            let parameters = params.map(Self.postgresParameter)
            var writer = context.output.writer()
            try await connection.query(query, parameters: parameters, batchSize: batchSize) { rows in
                var names: [String] = []
                var decoders: [PostgresDecoder] = []
                for try await row in rows {
                    if decoders.isEmpty, !row.columns.isEmpty {
                        names = row.columns.map(\.name)
                        decoders = row.columns.map { PostgresDecoder(typeOID: $0.typeOID) }
                    }
                    var object = JSONObject(minimumCapacity: names.count)
                    for (index, text) in row.texts.enumerated() {
                        object[names[index]] = text.map { decoders[index].decode($0) } ?? .null
                    }
                    try await writer.emit(.object(object))
                }
            }
            try await writer.flush()
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    static func postgresParameter(_ value: JSON) -> PostgresValue? {
        switch value {
        case .null: return nil
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(Int64(i))
        case .double(let d): return .double(d)
        case .string(let s): return .text(s)
        case .array, .object: return .json(value.serialized())
        }
    }

    // MARK: SQLite

    func runSQLite(_ path: String, _ context: NodeContext) async throws {
        // Read-only: a query never writes, and a mistyped path fails instead of creating an empty file.
        let connection = try await SQLiteConnection.open(path: path, readOnly: path != ":memory:")
        let parameters = params.map(Self.sqliteParameter)
        try await connection.query(sqliteQuery, parameters: parameters, batchSize: batchSize) { columns, rows in
            let names = columns.map(\.name)
            let kinds = columns.map { SQLiteColumnKind($0.declaredType) }
            var batch: [JSON] = []
            batch.reserveCapacity(rows.count)
            for row in rows {
                var object = JSONObject(minimumCapacity: names.count)
                for (index, value) in row.enumerated() {
                    object[names[index]] = kinds[index].decode(value)
                }
                batch.append(.object(object))
            }
            try await context.output.send(batch)
        }
    }

    static func sqliteParameter(_ value: JSON) -> SQLiteValue {
        switch value {
        case .null: return .null
        case .bool(let b): return .integer(b ? 1 : 0)
        case .int(let i): return .integer(Int64(i))
        case .double(let d): return .real(d)
        case .string(let s): return .text(s)
        case .array, .object: return .text(value.serialized())
        }
    }
}
