import FlowCore
import FlowJSON
import Synchronization

/// Shared state that test nodes write into, keyed by a per-test namespace.
final class TestBoard: Sendable {
    struct State {
        var records: [String: [JSON]] = [:]
        var events: [String] = []
        var running = 0
        var maxRunning = 0
        var attempts: [String: Int] = [:]
        var maxLag = 0
        var batches: [String: Int] = [:]
    }

    let state = Mutex(State())

    static let shared = TestBoard()

    func log(_ event: String) { state.withLock { $0.events.append(event) } }
    var events: [String] { state.withLock { $0.events } }
    func records(_ key: String) -> [JSON] { state.withLock { $0.records[key] ?? [] } }
}

/// Boards by test: each test names its own board so parallel tests do not mix.
enum Boards {
    static let all = Mutex<[String: TestBoard]>([:])
    static func board(_ name: String) -> TestBoard {
        all.withLock { boards in
            if let b = boards[name] { return b }
            let b = TestBoard()
            boards[name] = b
            return b
        }
    }
}

let boardField = FieldSpec("board", .string, required: true, "Test board name.")

/// Emits `count` records `{i: n}` in batches; optionally checks how far ahead of `watch` it gets.
struct EmitNode: Node {
    static let spec = NodeSpec(type: "t_emit", summary: "test source", inputs: .none, fields: [
        boardField,
        FieldSpec("count", .integer, default: 10, "records"),
        FieldSpec("watch", .string, "consumer whose lag to measure"),
    ], example: "")
    let board: TestBoard
    let count: Int

    init(config: NodeConfig, context: NodeBuildContext) throws {
        board = Boards.board(config.string("board")!)
        count = config.int("count") ?? 10
    }

    func run(_ context: NodeContext) async throws {
        board.log("start \(context.nodeID)")
        var writer = context.output.writer()
        for i in 0..<count { try await writer.emit(["i": .int(i)]) }
        try await writer.flush()
        board.log("end \(context.nodeID)")
    }
}

/// Collects its input into the board, optionally slowly, recording how far the producer got ahead.
struct CollectNode: Node {
    static let spec = NodeSpec(type: "t_collect", summary: "test sink", inputs: .required, fields: [
        boardField,
        FieldSpec("delay_ms", .integer, default: 0, "sleep per batch"),
        FieldSpec("forward", .boolean, default: false, "also emit the records"),
    ], example: "")
    let board: TestBoard
    let delay: Int
    let forward: Bool

    init(config: NodeConfig, context: NodeBuildContext) throws {
        board = Boards.board(config.string("board")!)
        delay = config.int("delay_ms") ?? 0
        forward = config.bool("forward") ?? false
    }

    func run(_ context: NodeContext) async throws {
        board.log("start \(context.nodeID)")
        for try await batch in try context.requireInput() {
            board.state.withLock {
                $0.records[context.nodeID, default: []].append(contentsOf: batch)
                $0.batches[context.nodeID, default: 0] += 1
            }
            if forward { try await context.output.send(batch) }
            if delay > 0 { try await Task.sleep(for: .milliseconds(delay)) }
        }
        board.log("end \(context.nodeID)")
    }
}

/// Counts concurrently running instances; sleeps; fails the first `fail_times` attempts.
struct WorkNode: Node {
    static let spec = NodeSpec(type: "t_work", summary: "test worker", inputs: .optional, fields: [
        boardField,
        FieldSpec("ms", .integer, default: 10, "sleep"),
        FieldSpec("fail_times", .integer, default: 0, "attempts that fail"),
        FieldSpec("message", .string, default: "boom", "failure message"),
    ], example: "")
    let board: TestBoard
    let ms: Int
    let failTimes: Int
    let message: String

    init(config: NodeConfig, context: NodeBuildContext) throws {
        board = Boards.board(config.string("board")!)
        ms = config.int("ms") ?? 10
        failTimes = config.int("fail_times") ?? 0
        message = config.string("message") ?? "boom"
    }

    func run(_ context: NodeContext) async throws {
        let attempt = board.state.withLock { s -> Int in
            s.running += 1
            s.maxRunning = max(s.maxRunning, s.running)
            s.attempts[context.nodeID, default: 0] += 1
            s.events.append("start \(context.nodeID)")
            return s.attempts[context.nodeID]!
        }
        defer { board.state.withLock { $0.running -= 1 } }
        try await Task.sleep(for: .milliseconds(ms))
        if attempt <= failTimes { throw NodeError(nodeID: context.nodeID, message: message) }
        if let input = context.input {
            for try await batch in input { try await context.output.send(batch) }
        }
        board.log("end \(context.nodeID)")
    }
}

/// Emits records, ends its stream, then waits for its downstream like a Kafka source would.
struct AckNode: Node {
    static let spec = NodeSpec(type: "t_ack", summary: "test acknowledging source", inputs: .none, fields: [
        boardField,
        FieldSpec("count", .integer, default: 10, "records"),
    ], example: "")
    let board: TestBoard
    let count: Int

    init(config: NodeConfig, context: NodeBuildContext) throws {
        board = Boards.board(config.string("board")!)
        count = config.int("count") ?? 10
    }

    func run(_ context: NodeContext) async throws {
        var writer = context.output.writer()
        for i in 0..<count { try await writer.emit(["i": .int(i)]) }
        try await writer.flush()
        context.output.finish()
        let ok = await context.downstreamSucceeded()
        board.log("downstream \(ok ? "succeeded" : "failed")")
    }
}

/// Emits `count` records `{r, i}` per round, then a checkpoint; logs `ack <round> <outcome> seen=<n>`
/// where n is how many records the `watch` nodes (comma-separated) had received by then.
struct CheckpointSourceNode: Node {
    static let spec = NodeSpec(type: "t_checkpoint", summary: "test checkpointing source", inputs: .none, fields: [
        boardField,
        FieldSpec("count", .integer, default: 10, "records per round"),
        FieldSpec("rounds", .integer, default: 1, "rounds"),
        FieldSpec("watch", .string, required: true, "nodes whose received records to count"),
    ], example: "")
    let board: TestBoard
    let count: Int
    let rounds: Int
    let watch: [String]

    init(config: NodeConfig, context: NodeBuildContext) throws {
        board = Boards.board(config.string("board")!)
        count = config.int("count") ?? 10
        rounds = config.int("rounds") ?? 1
        watch = (config.string("watch") ?? "").split(separator: ",").map(String.init)
    }

    func run(_ context: NodeContext) async throws {
        var writer = context.output.writer()
        for round in 0..<rounds {
            for i in 0..<count { try await writer.emit(["r": .int(round), "i": .int(i)]) }
            let ok = try await context.output.checkpoint()
            let seen = watch.map { board.records($0).count }.reduce(0, +)
            board.log("ack \(round) \(ok) seen=\(seen)")
        }
    }
}

/// Passes records on one at a time through a `RecordWriter`, flushing only at the end.
struct RelayNode: Node {
    static let spec = NodeSpec(type: "t_relay", summary: "test writer relay", inputs: .required, fields: [], example: "")

    init(config: NodeConfig, context: NodeBuildContext) throws {}

    func run(_ context: NodeContext) async throws {
        var writer = context.output.writer()
        for try await batch in try context.requireInput() {
            for record in batch { try await writer.emit(record) }
        }
        try await writer.flush()
    }
}

let testRegistry = NodeRegistry([
    EmitNode.self, CollectNode.self, WorkNode.self, AckNode.self, CheckpointSourceNode.self, RelayNode.self,
])

struct NoObserver: RunObserver {}

/// Loads, plans and runs a workflow text with the test registry.
func runWorkflow(_ yaml: String, params: [(String, String)] = [], engine: Engine = Engine(batchSize: 10))
    async throws -> RunResult
{
    let plan = try makePlan(yaml, params: params)
    return await engine.run(plan, runID: "test", observer: NoObserver())
}

func makePlan(_ yaml: String, params: [(String, String)] = []) throws -> ExecutionPlan {
    let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
    let (workflow, diagnostics) = loader.load(text: yaml, file: "test.yaml")
    guard let workflow else { throw diagnostics }
    let (plan, planDiagnostics) = Planner(language: PathExpressionLanguage())
        .plan(workflow, options: PlanOptions(params: params.map { (name: $0.0, value: $0.1) }))
    guard let plan else { throw planDiagnostics }
    return plan
}

extension RunResult {
    func node(_ id: String) -> NodeResult { nodes.first { $0.id == id }! }
}
