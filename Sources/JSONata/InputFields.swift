extension JSONataExpression {
    /// The top-level fields of an object input that the result can depend on, or nil when the
    /// expression may look at its input in any other way.
    ///
    /// When this is not nil, evaluating against an object that holds only these fields (with the
    /// same values) gives the same result and the same errors as evaluating against the whole
    /// object: a caller holding the input as text can parse just those fields. The analysis is
    /// conservative. It gives nil for anything that sees the input object itself: `$` or `$$` at
    /// the top, `*`, `**` and `%` over it, `$eval`, functions that would take the object as their
    /// context argument (`$keys()`, `$string()`...), function values used other than by calling
    /// them (`$map(xs, $string)`), partial application and the transform operator.
    public var inputFields: Set<String>? {
        var analysis = InputFieldAnalysis()
        analysis.visit(root, atInput: true)
        return analysis.isBounded ? analysis.fields : nil
    }
}

/// Walks a processed expression tree, tracking whether the node at hand is evaluated with the
/// expression's input as its context (`atInput`) or with something derived from it (a path's
/// later steps, predicates, group pairs, sort terms).
struct InputFieldAnalysis {
    var fields: Set<String> = []
    var isBounded = true

    mutating func unbounded() { isBounded = false }

    mutating func visit(_ node: Node?, atInput: Bool) {
        guard let node, isBounded else { return }
        if node.ancestor != nil || node.seekingParent != nil || node.focus != nil || node.indexVar != nil || node.tuple {
            return unbounded()
        }
        switch node.kind {
        case .string, .number, .value, .regex:
            break
        case .name:
            if atInput { fields.insert(node.value) }
        case .path:
            guard let first = node.steps.first else { return unbounded() }
            visit(first, atInput: atInput)
            for step in node.steps.dropFirst() { visit(step, atInput: false) }
        case .variable:
            // `$` is the context; `$$` is the input wherever it appears. A function of the
            // library is only allowed where it is called (see `.function`).
            if node.value == "$" || (atInput && node.value.isEmpty) || Builtins.table[node.value] != nil {
                return unbounded()
            }
        case .wildcard, .descendant:
            if atInput { return unbounded() }
        case .parent, .partial, .placeholder, .transform, .op:
            return unbounded()
        case .binary:
            visit(node.lhs, atInput: atInput)
            visit(node.rhs, atInput: atInput)
        case .unary:
            visit(node.expression, atInput: atInput)
            node.expressions.forEach { visit($0, atInput: atInput) }
            for (key, value) in node.pairs {
                visit(key, atInput: atInput)
                visit(value, atInput: atInput)
            }
        case .condition:
            visit(node.condition, atInput: atInput)
            visit(node.then, atInput: atInput)
            visit(node.otherwise, atInput: atInput)
        case .block:
            node.expressions.forEach { visit($0, atInput: atInput) }
        case .bind:
            visit(node.rhs, atInput: atInput)
        case .lambda:
            // The body runs with the context the lambda was defined in. A signature could pass
            // the caller's context as an argument.
            if let signature = node.signature, signature.takesObjectContext { return unbounded() }
            visit(node.body, atInput: atInput)
        case .function:
            callee(node.procedure, arguments: node.arguments.count, atInput: atInput)
            node.arguments.forEach { visit($0, atInput: atInput) }
        case .apply:
            visit(node.lhs, atInput: atInput)
            guard let rhs = node.rhs, rhs.kind == .function else { return unbounded() }
            callee(rhs.procedure, arguments: rhs.arguments.count + 1, atInput: atInput)
            rhs.arguments.forEach { visit($0, atInput: atInput) }
        case .sort:
            if atInput { return unbounded() }
            for term in node.terms { visit(term.expr, atInput: false) }
        case .filterStage, .indexStage:
            visit(node.expression, atInput: false)
        }
        node.stages?.forEach { visit($0, atInput: false) }
        node.predicate?.forEach { visit($0, atInput: false) }
        for (key, value) in node.group?.pairs ?? [] {
            visit(key, atInput: false)
            visit(value, atInput: false)
        }
    }

    /// The procedure of a call with `arguments` arguments. A library function may receive the
    /// context as an argument; that is only allowed when the context cannot be the input object.
    mutating func callee(_ procedure: Node?, arguments: Int, atInput: Bool) {
        guard let procedure else { return unbounded() }
        guard procedure.kind == .variable, let builtin = Builtins.table[procedure.value] else {
            return visit(procedure, atInput: atInput)
        }
        guard procedure.value != "eval", let signature = builtin.signature else { return unbounded() }
        if atInput && signature.mayTakeObjectContext(arguments: arguments) { return unbounded() }
    }
}

extension Signature {
    /// True when a missing argument may be filled with the context, and the context may be an object.
    var takesObjectContext: Bool {
        params.contains { $0.context && $0.contextAllowed.contains("o") }
    }

    /// True when a call with `arguments` arguments may be given an object context as an argument:
    /// for some types of the arguments, `validate` matches with a context parameter left empty.
    /// Tried for every combination of argument types (a few hundred at most).
    func mayTakeObjectContext(arguments: Int) -> Bool {
        guard takesObjectContext else { return false }
        guard arguments <= 4 else { return true }
        let symbols = Array("asnblfom")
        var types = [Character](repeating: "a", count: arguments)
        func tryAll(_ i: Int) -> Bool {
            guard i == arguments else {
                for symbol in symbols {
                    types[i] = symbol
                    if tryAll(i + 1) { return true }
                }
                return false
            }
            guard let counts = match(types) else { return false }
            return params.indices.contains { params[$0].context && params[$0].contextAllowed.contains("o") && counts[$0] == 0 }
        }
        return tryAll(0)
    }
}
