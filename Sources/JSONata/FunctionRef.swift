import FlowJSON

/// A function value.
final class FunctionRef {
    enum Kind {
        /// A lambda closing over `env`; `params` are its (remaining) parameter names.
        case lambda(node: Node, input: Value?, env: Frame, params: [String])
        case builtin(Builtin)
        /// A native function with some arguments bound; `nil` entries are the `?` holes.
        case partialNative(FunctionRef, [Value?], holes: [Bool])
        /// An internal closure (regex matchers, transforms, function chains).
        case closure(arity: Int, body: (Evaluator, [Value?], Value?, Frame) throws(JSONataError) -> Value?)
    }

    let kind: Kind
    @exclusivity(unchecked) var signature: Signature?
    /// Set for regex literals, so string functions can use the expression directly.
    @exclusivity(unchecked) var regex: JSRegex?

    init(_ kind: Kind, signature: Signature? = nil) {
        self.kind = kind
        self.signature = signature
    }

    var arity: Int {
        switch kind {
        case .lambda(_, _, _, let params): return params.count
        case .builtin(let b): return b.arity
        case .partialNative(_, _, let holes): return holes.filter { $0 }.count
        case .closure(let arity, _): return arity
        }
    }

    var isThunk: Bool {
        if case .lambda(let node, _, _, _) = kind { return node.thunk }
        return false
    }
}

/// A standard-library function.
struct Builtin: Sendable {
    let name: String
    let signature: Signature?
    let arity: Int
    let impl: @Sendable (Evaluator, [Value?], Value?, Frame) throws(JSONataError) -> Value?
}
