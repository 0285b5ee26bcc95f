import FlowJSON

/// An expression that failed to compile or evaluate. `offset` counts characters from the start of
/// the expression text, so callers can turn it into a file position.
public struct ExpressionError: Error, Sendable, CustomStringConvertible {
    public var code: String?
    public var message: String
    public var offset: Int?

    public init(code: String? = nil, message: String, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.offset = offset
    }

    public var description: String {
        (code.map { "\($0): " } ?? "") + message
    }
}

/// The language of `when:` conditions, `${...}` interpolation and transform expressions.
/// The engine core knows only this interface; the CLI plugs in the JSONata engine.
public protocol ExpressionLanguage: Sendable {
    func compile(_ source: String) throws(ExpressionError) -> any CompiledExpression
}

/// An expression compiled once and evaluated many times, from any task.
public protocol CompiledExpression: Sendable {
    /// Evaluates against `input` (nil: no input) with `$name` variables from `bindings`.
    /// Returns nil for an undefined result.
    func evaluate(_ input: JSON?, bindings: ExpressionBindings) throws(ExpressionError) -> JSON?
    /// The expression with `bindings` prepared once, for evaluating many inputs.
    func bound(to bindings: ExpressionBindings) -> any BoundExpression
    /// The top-level fields of an object input that the result can depend on, or nil when the
    /// expression may look at its input in other ways. When not nil, evaluating against an object
    /// holding only these fields gives the same result and errors, so a node holding records as
    /// text can parse just these (`transform`).
    var inputFields: Set<String>? { get }
}

/// An expression with its variables bound once, for evaluating many records.
public protocol BoundExpression: Sendable {
    func evaluate(_ input: JSON?) throws(ExpressionError) -> JSON?
}

extension CompiledExpression {
    public var inputFields: Set<String>? { nil }

    /// Binds `bindings` for repeated evaluation. Languages override this to prepare their
    /// environment once instead of per record.
    public func bound(to bindings: ExpressionBindings) -> any BoundExpression {
        DefaultBoundExpression(expression: self, bindings: bindings)
    }
}

struct DefaultBoundExpression: BoundExpression {
    let expression: any CompiledExpression
    let bindings: ExpressionBindings

    func evaluate(_ input: JSON?) throws(ExpressionError) -> JSON? {
        try expression.evaluate(input, bindings: bindings)
    }
}

/// Variables visible as `$name` in expressions.
public struct ExpressionBindings: Sendable {
    public var values: [String: JSON]
    public init(_ values: [String: JSON] = [:]) { self.values = values }
}

extension JSON {
    /// Truthiness for conditions and filters: false, null, 0, "", [] and {} are false.
    public var isTruthy: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0 && !d.isNaN
        case .string(let s): return !s.isEmpty
        case .array(let a): return a.contains { $0.isTruthy }
        case .object(let o): return !o.isEmpty
        }
    }

    /// Text for string interpolation: strings as they are, everything else as JSON.
    public var interpolationText: String {
        if case .string(let s) = self { return s }
        return serialized()
    }
}
