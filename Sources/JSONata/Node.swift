import Foundation

/// A node of the (post-processed) expression tree, mirroring jsonata-js's AST objects.
///
/// The parser and `processAST` fill the fields in; after `JSONataExpression.init` returns no node is ever
/// mutated again, which is why sharing the tree between concurrent evaluations is safe.
final class Node: @unchecked Sendable {
    enum Kind {
        case path, binary, unary, name, string, number, value, wildcard, descendant, parent, condition, block
        case bind, regex, function, variable, lambda, partial, apply, transform, sort, placeholder
        case filterStage, indexStage
        case op  // raw operator token during parsing
    }

    @exclusivity(unchecked) var kind: Kind
    @exclusivity(unchecked) var value: String
    /// Binary operator code, resolved once (`value` holds the operator text).
    @exclusivity(unchecked) var op: BinOp = .none

    enum BinOp { case none, and, or, coalesce, elvis, add, sub, mul, div, mod, eq, ne, lt, le, gt, ge, concat, range, inOp }

    @exclusivity(unchecked) var num: Double = 0
    @exclusivity(unchecked) var position: Int

    // generic children
    @exclusivity(unchecked) var lhs: Node?
    @exclusivity(unchecked) var rhs: Node?
    @exclusivity(unchecked) var expression: Node?
    @exclusivity(unchecked) var expressions: [Node] = []
    @exclusivity(unchecked) var pairs: [(Node, Node)] = []

    // path / step attributes
    @exclusivity(unchecked) var steps: [Node] = []
    @exclusivity(unchecked) var stages: [Node]?
    @exclusivity(unchecked) var predicate: [Node]?
    @exclusivity(unchecked) var group: Group?
    @exclusivity(unchecked) var focus: String?
    @exclusivity(unchecked) var indexVar: String?
    @exclusivity(unchecked) var tuple = false
    @exclusivity(unchecked) var keepArray = false
    @exclusivity(unchecked) var keepSingletonArray = false
    @exclusivity(unchecked) var consarray = false
    @exclusivity(unchecked) var ancestor: Slot?
    @exclusivity(unchecked) var seekingParent: [Slot]?
    @exclusivity(unchecked) var slot: Slot?

    // condition
    @exclusivity(unchecked) var condition: Node?
    @exclusivity(unchecked) var then: Node?
    @exclusivity(unchecked) var otherwise: Node?

    // functions
    @exclusivity(unchecked) var procedure: Node?
    @exclusivity(unchecked) var arguments: [Node] = []
    @exclusivity(unchecked) var params: [String] = []
    @exclusivity(unchecked) var signature: Signature?
    @exclusivity(unchecked) var body: Node?
    @exclusivity(unchecked) var thunk = false

    // sort
    @exclusivity(unchecked) var terms: [(descending: Bool, expr: Node)] = []
    // raw order-by terms during parsing
    @exclusivity(unchecked) var rawTerms: [(Bool, Node)] = []

    // transform
    @exclusivity(unchecked) var pattern: Node?
    @exclusivity(unchecked) var update: Node?
    @exclusivity(unchecked) var delete: Node?

    // regex
    @exclusivity(unchecked) var regex: JSRegex?

    /// Fast path marker: a path that is a single plain field name.
    @exclusivity(unchecked) var simpleName = false
    /// For `$name` naming a standard-library function: the function value, built once at compile time.
    /// Immutable once built, so sharing it between evaluations is safe.
    @exclusivity(unchecked) var cachedFunction: FunctionRef?

    init(_ kind: Kind, _ value: String = "", position: Int) {
        self.kind = kind
        self.value = value
        self.position = position
    }

    struct Group {
        var pairs: [(Node, Node)]
        var position: Int
    }
}

/// A parent-operator slot (`%`), resolved to a tuple label at compile time.
final class Slot: @unchecked Sendable {
    @exclusivity(unchecked) var label: String
    @exclusivity(unchecked) var level: Int
    @exclusivity(unchecked) var index: Int
    init(label: String, level: Int, index: Int) {
        self.label = label
        self.level = level
        self.index = index
    }
}
