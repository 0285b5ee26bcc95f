import FlowCore
import FlowJSON
import FlowPostgres
import FlowSQLite
import Foundation
import Synchronization
import Testing

/// The databases the `jdbc_output` and `sql_query` tests run against.
enum TestDatabaseKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }
}

/// A fresh place to write to: a SQLite file in a temporary directory, or the test PostgreSQL server.
struct TestTarget: Sendable {
    let kind: TestDatabaseKind
    /// The `url:` to put in the workflow.
    let url: String
    /// A table name no other test uses (unquoted, lower case).
    let table: String

    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "FLOW_TEST_POSTGRES_URL is not set. Start the test server and load its settings first: "
                + "bash scripts/services.sh start postgres && source /tmp/flow-services/services.env"
        }
    }

    static func postgresURL() throws -> String {
        guard let value = ProcessInfo.processInfo.environment["FLOW_TEST_POSTGRES_URL"], !value.isEmpty else {
            throw NotConfigured()
        }
        return value
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(String(UInt64.random(in: 0..<UInt64.max), radix: 36))"
    }

    static func make(_ kind: TestDatabaseKind, prefix: String = "t") throws -> TestTarget {
        let table = uniqueName(prefix)
        switch kind {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueName("flowdb")).path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            return TestTarget(kind: kind, url: "sqlite:\(directory)/test.db", table: table)
        case .postgres:
            return TestTarget(kind: kind, url: try postgresURL(), table: table)
        }
    }

    var sqlitePath: String { String(url.dropFirst("sqlite:".count)) }

    /// Runs SQL (no results) on the target database.
    func execute(_ sql: String) async throws {
        switch kind {
        case .sqlite:
            let connection = try SQLiteConnection(path: sqlitePath)
            try await connection.withDatabase { try $0.execute(sql) }
        case .postgres:
            let connection = try await PostgresConnection.connect(url)
            defer { Task { await connection.close() } }
            try await connection.executeScript(sql)
        }
    }

    /// Every row of `sql` as JSON-ish values: integers, doubles, text, booleans (SQLite: integers), nulls.
    func rows(_ sql: String) async throws -> [[JSON]] {
        switch kind {
        case .sqlite:
            let connection = try SQLiteConnection(path: sqlitePath)
            return try await connection.withDatabase { database in
                try database.query(sql).map { row in
                    row.map { value -> JSON in
                        switch value {
                        case .null: return .null
                        case .integer(let i): return .int(Int(i))
                        case .real(let d): return .double(d)
                        case .text(let s): return .string(s)
                        case .blob: return .string("<blob>")
                        }
                    }
                }
            }
        case .postgres:
            let connection = try await PostgresConnection.connect(url)
            let rows = try await connection.queryAll(sql)
            await connection.close()
            return rows.map { row in
                row.values.map { value -> JSON in
                    switch value {
                    case nil: return .null
                    case .int(let i)?: return .int(Int(i))
                    case .double(let d)?: return .double(d)
                    case .bool(let b)?: return .bool(b)
                    case .numeric(let s)?: return .string(s)
                    case let other?: return .string(other.string)
                    }
                }
            }
        }
    }

    func count(_ quotedTable: String) async throws -> Int {
        try await rows("SELECT count(*) FROM \(quotedTable)").first?.first?.intValue ?? -1
    }
}

/// Workflows that feed records to a `jdbc_output` node named `store`.
enum DatabaseWorkflow {
    /// `records` emitted by an inline node into `store`, whose fields are `body` (one per line).
    static func load(_ records: [JSON], into body: String, nodeID: String = "store") -> String {
        """
        name: db-test
        nodes:
          src:
            type: inline
            records: \(JSON.array(records).serialized())
          \(nodeID):
            type: jdbc_output
            input: src
        \(indent(body, 4))
        """
    }

    static func indent(_ text: String, _ spaces: Int) -> String {
        let pad = String(repeating: " ", count: spaces)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { pad + $0 }.joined(separator: "\n")
    }

    /// Runs `yaml` and returns the outcome; fails the test when it does not load and plan.
    static func run(_ yaml: String, batchSize: Int = 500, buckets: [String] = [], file: String = "test.yaml") async -> WorkflowHarness.Outcome {
        let outcome = await WorkflowHarness.run(yaml, buckets: buckets, batchSize: batchSize, file: file)
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
        return outcome
    }

    /// `count` product-like records: id, title, price, in_stock, tags.
    static func products(_ count: Int, priceOffset: Double = 0) -> [JSON] {
        (0..<count).map { i in
            ["id": .int(i + 1), "title": .string("Product \(i + 1)"), "price": .double(Double(i) + 0.5 + priceOffset),
             "in_stock": .bool(i % 2 == 0)]
        }
    }
}

/// A test source that emits `count` records `{id, title}` in batches of `batch`, pausing `delay` between
/// batches: a slow producer, so a test can act while the consumer is mid-run.
struct SlowSourceNode: Node {
    static let spec = NodeSpec(
        type: "test_slow_source",
        summary: "Emit numbered records slowly (tests only).",
        inputs: .none,
        fields: [
            FieldSpec("count", .integer, required: true, "Records to emit."),
            FieldSpec("batch", .integer, default: 10, "Records per batch."),
            FieldSpec("delay", .duration, default: "50ms", "Pause between batches."),
        ],
        example: """
            slow:
              type: test_slow_source
              count: 100
            """)

    let count: Int
    let batch: Int
    let delay: Duration

    init(config: NodeConfig, context: NodeBuildContext) throws {
        count = config.int("count") ?? 0
        batch = config.int("batch") ?? 10
        delay = config.duration("delay") ?? .milliseconds(50)
    }

    func run(_ context: NodeContext) async throws {
        var next = 0
        while next < count {
            let end = min(count, next + batch)
            try await context.output.send((next..<end).map { ["id": .int($0 + 1), "title": .string("row \($0 + 1)")] })
            next = end
            try await Task.sleep(for: delay)
        }
    }
}

/// A test sink that counts records and samples the process's resident memory, keeping no records.
struct CountingSinkNode: Node {
    static let spec = NodeSpec(
        type: "test_counter",
        summary: "Count received records and sample RSS (tests only).",
        inputs: .required,
        producesRecords: false,
        fields: [FieldSpec("bucket", .string, required: true, "Where the results are kept; unique per test.")],
        example: """
            count:
              type: test_counter
              input: source
              bucket: my-test
            """)

    struct Result: Sendable {
        var records = 0
        var maxRSS = 0
        var first: JSON?
        var last: JSON?
    }

    static let results = Mutex<[String: Result]>([:])

    let bucket: String

    init(config: NodeConfig, context: NodeBuildContext) throws {
        bucket = config.string("bucket") ?? context.nodeID
    }

    func run(_ context: NodeContext) async throws {
        var result = Result()
        for try await batch in try context.requireInput() {
            if result.first == nil { result.first = batch.first }
            result.last = batch.last
            result.records += batch.count
            if result.records % 20_000 < batch.count { result.maxRSS = max(result.maxRSS, Self.residentBytes()) }
        }
        result.maxRSS = max(result.maxRSS, Self.residentBytes())
        let final = result
        Self.results.withLock { $0[bucket] = final }
    }

    /// Current resident set size from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
