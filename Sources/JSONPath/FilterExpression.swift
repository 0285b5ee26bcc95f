import FlowJSON

/// A compiled, well-typed filter expression of LogicalType (RFC 9535 §2.3.5, §2.4).
indirect enum LogicalExpression: Sendable {
    case or([LogicalExpression])
    case and([LogicalExpression])
    case not(LogicalExpression)
    /// A test expression on a query: true when the query selects at least one node.
    case exists(EmbeddedQuery)
    case comparison(ValueExpression, ComparisonOperator, ValueExpression)
    /// A function whose result is LogicalType, or NodesType converted by non-emptiness.
    case function(FunctionCall)
}

/// An expression of ValueType: a comparable (RFC 9535 §2.3.5.1) or a ValueType function argument.
enum ValueExpression: Sendable {
    case literal(JSON)
    /// A singular query: its node's value, or Nothing.
    case query(EmbeddedQuery)
    case function(FunctionCall)
}

enum ComparisonOperator: String, Sendable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}

/// A query inside a filter: relative to the current node (`@`) or to the root (`$`).
struct EmbeddedQuery: Sendable {
    var isRelative: Bool
    var path: SegmentPath

    init(isRelative: Bool, segments: [Segment]) {
        self.isRelative = isRelative
        path = SegmentPath(segments)
    }

    /// The steps, when every segment selects at most one node.
    var singularSteps: [SingularStep]? { path.singularSteps }

    var isSingular: Bool { path.singularStart == 0 }
}
