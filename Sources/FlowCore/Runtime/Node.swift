import FlowJSON
import Logging

/// A node type: a spec, a constructor from validated configuration, and the work it does.
///
/// `init` runs for `flow validate` as well as for `flow run`, so it must check and compile
/// everything it can (paths, expressions, field combinations) and must not perform I/O.
/// Throw `Diagnostic` or `Diagnostics` (use `config.error(...)` to locate them).
public protocol Node: Sendable {
    static var spec: NodeSpec { get }
    init(config: NodeConfig, context: NodeBuildContext) throws
    /// Reads `context.input` (when the node has inputs) and writes `context.output` until done.
    /// Must return promptly when the task is cancelled.
    func run(_ context: NodeContext) async throws

    /// True when this node, as configured, reads its input as JSON documents kept as bytes
    /// (`RecordInput.batches`, `RecordBatch.documents`) rather than as parsed records. When every
    /// consumer of a node says so, that node may skip parsing (`RecordOutput.prefersDocuments`).
    var readsDocuments: Bool { get }

    /// True when this node, as configured, runs until interrupted and acknowledges its records at
    /// checkpoints (`RecordOutput.checkpoint()`), like `kafka_consume` with `follow: true`.
    var sendsCheckpoints: Bool { get }

    /// Why this node, as configured, cannot make the records it has received durable when a
    /// checkpoint passes it (for example because it writes them only when the run ends); nil when
    /// it can. `flow validate` rejects such a node downstream of one that `sendsCheckpoints`.
    var checkpointLimitation: String? { get }
}

/// What a node type may use while it is being built.
extension Node {
    public var readsDocuments: Bool { false }
    public var sendsCheckpoints: Bool { false }
    public var checkpointLimitation: String? { nil }
}

public struct NodeBuildContext: Sendable {
    public let nodeID: String
    /// The directory of the workflow file: relative paths in node fields are resolved against it.
    public let directory: String
    public let language: any ExpressionLanguage
    /// The node's effective retry policy (node `retry:` over `defaults.retry`).
    public let retry: RetryPolicy
    public let timeout: Duration?
    /// True when the node has `input:` (data edges), so it will receive records.
    public let hasInput: Bool

    /// `path` resolved against the workflow's directory unless absolute.
    public func resolvePath(_ path: String) -> String {
        Paths.resolve(path, against: directory)
    }
}

/// What a running node may use.
public struct NodeContext: Sendable {
    public let nodeID: String
    public let type: String
    /// The merged records of the node's data inputs; nil for nodes without `input:`.
    public let input: RecordInput?
    public let output: RecordOutput
    public let logger: Logger
    public let scope: RunScope
    public let language: any ExpressionLanguage
    public let retry: RetryPolicy
    public let directory: String
    public let counters: NodeCounters
    public let masker: SecretMasker
    let completions: CompletionBoard
    /// Every node that receives this node's records, directly or through other nodes.
    let downstream: Set<String>

    /// Waits until every node downstream of this one has finished, and tells whether all of them
    /// succeeded (skipped counts as success). Call `output.finish()` first, or the downstream
    /// nodes wait for more input. Sources that must acknowledge their data (Kafka offsets) use
    /// this to commit only what was processed.
    public func downstreamSucceeded() async -> Bool {
        await completions.wait(for: downstream)
    }

    /// Records from every input, or an error for a node that has none.
    public func requireInput() throws -> RecordInput {
        guard let input else { throw NodeError(nodeID: nodeID, message: "this node needs an `input:`") }
        return input
    }
}

/// A node failure with the node's id; the message must already be free of secrets.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    public var nodeID: String
    public var message: String
    public var hint: String?

    public init(nodeID: String, message: String, hint: String? = nil) {
        self.nodeID = nodeID
        self.message = message
        self.hint = hint
    }

    public var description: String { message + (hint.map { " (\($0))" } ?? "") }
}

/// The set of node types a workflow may use. Built from an explicit list, so tests can use their own.
public struct NodeRegistry: Sendable {
    public let types: [any Node.Type]

    public init(_ types: [any Node.Type]) {
        self.types = types
    }

    public func type(named name: String) -> (any Node.Type)? {
        types.first { $0.spec.type == name }
    }

    public var names: [String] { types.map { $0.spec.type } }

    public func adding(_ more: [any Node.Type]) -> NodeRegistry { NodeRegistry(types + more) }
}

enum Paths {
    static func resolve(_ path: String, against directory: String) -> String {
        if path.hasPrefix("/") || directory.isEmpty || directory == "." { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let dir = String(file[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}
