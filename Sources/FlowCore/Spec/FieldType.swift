/// The type of a node field, as declared in a node spec and checked at validate time.
public indirect enum FieldType: Sendable {
    case string
    case integer
    case number
    case boolean
    /// `30s`, `5m`, `1h30m`, `250ms`, or a number of seconds.
    case duration
    /// One of a fixed set of strings.
    case choice([String])
    case list(FieldType)
    /// Free-form keys, each value of the given type (headers, query parameters...).
    case map(FieldType)
    /// Fixed keys.
    case object([FieldSpec])
    /// Alternatives tried in order; the first that accepts the value wins.
    case oneOf([FieldType])
    /// Any JSON value.
    case any
    /// An expression in the workflow expression language, compiled at validate time.
    case expression
    /// An RFC 9535 JSONPath query, compiled at validate time by the node type.
    case jsonPath

    /// How the type is named in messages and in `flow nodes`.
    public var displayName: String {
        switch self {
        case .string: return "string"
        case .integer: return "integer"
        case .number: return "number"
        case .boolean: return "boolean"
        case .duration: return "duration"
        case .choice(let options): return options.joined(separator: "|")
        case .list(let element): return "list of \(element.displayName)"
        case .map(let value): return "map of \(value.displayName)"
        case .object: return "mapping"
        case .oneOf(let types): return types.map(\.displayName).joined(separator: " or ")
        case .any: return "any value"
        case .expression: return "expression"
        case .jsonPath: return "JSONPath"
        }
    }
}

/// One field of a node type (or of a nested block): name, type, default and documentation.
public struct FieldSpec: Sendable {
    public var name: String
    public var type: FieldType
    public var required: Bool
    public var defaultValue: FlowJSON.JSON?
    public var description: String
    /// Values of secret fields are masked in plans, logs and errors whatever their source.
    public var secret: Bool
    /// `${...}` in this field may use `record` and is evaluated per input record by the node.
    public var perRecord: Bool
    /// For mapping fields whose keys are open-ended (client properties): tells which keys hold
    /// secrets. Their values are masked like secret fields; the other values print as written.
    public var isSecretKey: (@Sendable (String) -> Bool)?

    public init(
        _ name: String, _ type: FieldType, required: Bool = false, default defaultValue: FlowJSON.JSON? = nil,
        secret: Bool = false, perRecord: Bool = false, _ description: String
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.description = description
        self.secret = secret
        self.perRecord = perRecord
    }

    /// This field with `isSecretKey` set.
    public func secretKeys(_ isSecretKey: @escaping @Sendable (String) -> Bool) -> FieldSpec {
        var copy = self
        copy.isSecretKey = isSecretKey
        return copy
    }
}

import FlowJSON
