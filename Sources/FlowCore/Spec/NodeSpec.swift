import FlowJSON

/// Everything flow knows about a node type: its fields, whether it takes and produces records,
/// its documentation and an example. Validation, `flow nodes`, the docs and the JSON Schema all
/// come from this one value.
public struct NodeSpec: Sendable {
    public enum Inputs: Sendable {
        /// A source: `input:` is not allowed.
        case none
        /// `input:` is required.
        case required
        /// `input:` may be given.
        case optional
    }

    public var type: String
    public var summary: String
    public var inputs: Inputs
    /// False for sinks: nodes that consume records and emit none.
    public var producesRecords: Bool
    public var fields: [FieldSpec]
    /// A YAML snippet of one node of this type, as it would appear under `nodes:`.
    public var example: String
    /// Non-nil for node types that apply their retry policy to each of their own operations (an HTTP
    /// request, say): the engine then runs such a node once instead of retrying it as a whole, and this
    /// is the policy used when neither the node nor `defaults` sets `retry`.
    public var operationRetry: RetryPolicy?
    /// Batches buffered on each of this node's output edges, when not the engine's default. Nodes
    /// whose records are whole documents (a 1 MB API page is one record) ask for fewer, so that
    /// memory stays bounded by bytes as well as by records.
    public var outputBuffer: Int?

    public init(
        type: String, summary: String, inputs: Inputs, producesRecords: Bool = true,
        fields: [FieldSpec], example: String, operationRetry: RetryPolicy? = nil, outputBuffer: Int? = nil
    ) {
        self.type = type
        self.summary = summary
        self.inputs = inputs
        self.producesRecords = producesRecords
        self.fields = fields
        self.example = example
        self.operationRetry = operationRetry
        self.outputBuffer = outputBuffer
    }

    public func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}

/// The keys every node accepts, whatever its type.
public enum CommonNodeFields {
    public static let specs: [FieldSpec] = [
        FieldSpec("type", .string, required: true, "The node type (see `flow nodes`)."),
        FieldSpec("description", .string, "What the node is for; shown by `flow graph` and `flow nodes`."),
        FieldSpec("input", .oneOf([.string, .list(.string)]),
                  "Data edges: the node(s) whose records this node receives."),
        FieldSpec("after", .oneOf([.string, .list(.string)]),
                  "Ordering-only edges: nodes that must finish before this one starts."),
        FieldSpec("when", .expression,
                  "Condition evaluated when the node is about to start; false skips it and every node that needs its data."),
        FieldSpec("retry", .object(RetryPolicy.fieldSpecs), "Retry policy (overrides `defaults.retry`)."),
        FieldSpec("timeout", .duration, "Longest the node may run, e.g. `30s` or `5m` (overrides `defaults.timeout`)."),
        FieldSpec("on_error", .choice(["fail", "continue"]), default: "fail",
                  "`fail` cancels the run; `continue` lets independent branches finish and marks the run failed."),
    ]

    public static let names: Set<String> = Set(specs.map(\.name))
}
