import FlowJSON

/// The declared type of a function parameter or result (RFC 9535 §2.4.1).
enum FunctionType: Sendable, CustomStringConvertible {
    case value
    case logical
    case nodes

    var description: String {
        switch self {
        case .value: return "ValueType"
        case .logical: return "LogicalType"
        case .nodes: return "NodesType"
        }
    }
}

/// The function extensions of RFC 9535 §2.4.4-§2.4.8.
enum FunctionExtension: String, Sendable {
    case length
    case count
    case match
    case search
    case value

    var parameters: [FunctionType] {
        switch self {
        case .length: return [.value]
        case .count, .value: return [.nodes]
        case .match, .search: return [.value, .value]
        }
    }

    var result: FunctionType {
        switch self {
        case .length, .count, .value: return .value
        case .match, .search: return .logical
        }
    }
}

/// A well-typed argument, already converted to its parameter's type.
enum FunctionArgument: Sendable {
    case value(ValueExpression)
    case logical(LogicalExpression)
    case nodes(EmbeddedQuery)
}

/// A checked call of a function extension.
struct FunctionCall: Sendable {
    var function: FunctionExtension
    var arguments: [FunctionArgument]
    /// For `match`/`search` with a string literal pattern: compiled once at parse time; `.invalid`
    /// when the literal is not an I-Regexp, so every call is LogicalFalse.
    var literalPattern: LiteralPattern?

    enum LiteralPattern: Sendable {
        case valid(IRegexp)
        case invalid
    }

    init(function: FunctionExtension, arguments: [FunctionArgument]) {
        self.function = function
        self.arguments = arguments
        if function == .match || function == .search, arguments.count == 2,
            case .value(.literal(.string(let pattern))) = arguments[1]
        {
            literalPattern = IRegexp(pattern).map(LiteralPattern.valid) ?? .invalid
        }
    }
}
