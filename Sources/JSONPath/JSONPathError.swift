/// A JSONPath expression that could not be compiled: a syntax error, an ill-typed filter expression
/// (RFC 9535 §2.4.3), an unknown function, or an integer outside the I-JSON range.
///
/// `offset` counts Unicode scalars from the start of the expression, starting at 0; for ASCII
/// expressions that is the character position. `description` reads like `expected ']' at position 7`.
public struct JSONPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a ``JSONPathError``.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: Sendable, Hashable {
            case syntax
            case type
            case unknownFunction
            case outOfRange
        }

        private let code: Code

        /// The text does not follow the RFC 9535 grammar.
        public static let syntax = Kind(code: .syntax)
        /// A filter expression breaks the function type rules (RFC 9535 §2.4.3).
        public static let type = Kind(code: .type)
        /// A function extension that is not one of `length`, `count`, `match`, `search`, `value`.
        public static let unknownFunction = Kind(code: .unknownFunction)
        /// An index or slice parameter outside ±(2^53-1).
        public static let outOfRange = Kind(code: .outOfRange)

        public var description: String {
            switch code {
            case .syntax: return "syntax error"
            case .type: return "type error"
            case .unknownFunction: return "unknown function"
            case .outOfRange: return "integer out of range"
            }
        }
    }

    /// What went wrong, without the position: `expected ']'`.
    public var message: String
    /// The 0-based offset, in Unicode scalars, where the problem was found.
    public var offset: Int
    /// What the parser expected at `offset`, when that is the problem: `']'`.
    public var expected: String?
    public var kind: Kind

    init(_ kind: Kind, _ message: String, at offset: Int, expected: String? = nil) {
        self.kind = kind
        self.message = message
        self.offset = offset
        self.expected = expected
    }

    static func expected(_ what: String, at offset: Int) -> JSONPathError {
        JSONPathError(.syntax, "expected \(what)", at: offset, expected: what)
    }

    public var description: String { "\(message) at position \(offset)" }
}
