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

    var kind: Kind
    var value: String
    var num: Double = 0
    var position: Int

    // generic children
    var lhs: Node?
    var rhs: Node?
    var expression: Node?
    var expressions: [Node] = []
    var pairs: [(Node, Node)] = []

    // path / step attributes
    var steps: [Node] = []
    var stages: [Node]?
    var predicate: [Node]?
    var group: Group?
    var focus: String?
    var indexVar: String?
    var tuple = false
    var keepArray = false
    var keepSingletonArray = false
    var consarray = false
    var ancestor: Slot?
    var seekingParent: [Slot]?
    var slot: Slot?

    // condition
    var condition: Node?
    var then: Node?
    var otherwise: Node?

    // functions
    var procedure: Node?
    var arguments: [Node] = []
    var params: [String] = []
    var signature: Signature?
    var body: Node?
    var thunk = false

    // sort
    var terms: [(descending: Bool, expr: Node)] = []
    // raw order-by terms during parsing
    var rawTerms: [(Bool, Node)] = []

    // transform
    var pattern: Node?
    var update: Node?
    var delete: Node?

    // regex
    var regex: JSRegex?

    /// Fast path marker: a path that is a single plain field name.
    var simpleName = false

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
    var label: String
    var level: Int
    var index: Int
    init(label: String, level: Int, index: Int) {
        self.label = label
        self.level = level
        self.index = index
    }
}
