/// Top-down operator precedence parser (after jsonata-js), followed by `processAST`, which turns the
/// raw tree into paths with steps, stages, tuple bindings and parent slots.
struct Parser {
    var lexer: Lexer
    var node: Node
    var id: String
    let sourceLength: Int

    var ancestorLabel = 0
    var ancestorIndex = 0
    var ancestry: [Node] = []
    /// Native stack address at the start of parsing: nesting is bounded by the stack it uses.
    var stackBase: UInt = 0
    var stackBudget: UInt = 256 * 1024
    var nesting = 0
    static let maxNesting = 500

    @inline(__always)
    static func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    init(_ source: String) {
        lexer = Lexer(source)
        sourceLength = lexer.src.count
        node = Node(.op, "(end)", position: 0)
        id = "(end)"
    }

    static func parse(_ source: String, stackBudget: Int = 256 * 1024) throws(JSONataError) -> Node {
        var p = Parser(source)
        p.stackBase = Parser.stackAddress()
        p.stackBudget = UInt(max(stackBudget, 16 * 1024))
        try p.advance()
        let expr = try p.expression(0)
        if p.id != "(end)" {
            throw JSONataError(code: "S0201", position: p.node.position, token: p.node.value)
        }
        let result = try p.processAST(expr)
        if result.kind == .parent || result.seekingParent != nil {
            throw JSONataError(code: "S0217", position: result.position, token: "\(result.kind)")
        }
        JSONataExpression.markFastPaths(result)
        return result
    }

    var lbp: Int {
        switch node.kind {
        case .op:
            switch id {
            case ":", ";", ",", ")", "]", "}", "..", "(end)", "!", "~", "|", "**": return 0
            default: return Lexer.operators[id] ?? 0
            }
        default: return 0
        }
    }

    @discardableResult
    mutating func advance(_ expected: String? = nil, infix: Bool = false) throws(JSONataError) -> Node {
        if let expected, id != expected {
            if id == "(end)" {
                throw JSONataError(code: "S0203", position: node.position, token: expected, value: .string(expected))
            }
            throw JSONataError(code: "S0202", position: node.position, token: node.value, value: .string(expected))
        }
        let prev = node
        guard let tok = try lexer.next(prefix: infix) else {
            node = Node(.op, "(end)", position: sourceLength)
            id = "(end)"
            return prev
        }
        switch tok.kind {
        case .name:
            node = Node(.name, tok.text, position: tok.position)
            id = "(name)"
        case .variable:
            node = Node(.variable, tok.text, position: tok.position)
            id = "(name)"
        case .op:
            guard Lexer.operators[tok.text] != nil, tok.text != "!", tok.text != "~" else {
                throw JSONataError(code: "S0204", position: tok.position, token: tok.text)
            }
            node = Node(.op, tok.text, position: tok.position)
            id = tok.text
        case .string:
            node = Node(.string, tok.text, position: tok.position)
            id = "(literal)"
        case .number:
            node = Node(.number, tok.text, position: tok.position)
            node.num = tok.number
            id = "(literal)"
        case .value:
            node = Node(.value, tok.text, position: tok.position)
            id = "(literal)"
        case .regex:
            node = Node(.regex, tok.text, position: tok.position)
            node.regex = try JSRegex(pattern: tok.text, flags: tok.regexFlags, position: tok.position)
            id = "(regex)"
        case .end:
            node = Node(.op, "(end)", position: sourceLength)
            id = "(end)"
        }
        return prev
    }

    mutating func expression(_ rbp: Int) throws(JSONataError) -> Node {
        let here = Parser.stackAddress()
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNesting || (stackBase > here && stackBase - here > stackBudget) {
            throw JSONataError(code: "U1001", message: "Expression is nested too deeply", position: node.position)
        }
        let t = node
        let tid = id
        try advance(nil, infix: true)
        var left = try nud(t, tid)
        while rbp < lbp {
            let t2 = node
            let t2id = id
            try advance()
            left = try led(t2, t2id, left)
        }
        return left
    }

    mutating func nud(_ t: Node, _ tid: String) throws(JSONataError) -> Node {
        switch tid {
        case "(end)", "(name)", "(literal)", "(regex)", "and", "or", "in":
            return t
        case "-":
            t.expression = try expression(70)
            t.kind = .unary
            return t
        case "*":
            t.kind = .wildcard
            return t
        case "**":
            t.kind = .descendant
            return t
        case "%":
            t.kind = .parent
            return t
        case "(":
            var exprs: [Node] = []
            while id != ")" {
                exprs.append(try expression(0))
                if id != ";" { break }
                try advance(";")
            }
            try advance(")", infix: true)
            t.kind = .block
            t.expressions = exprs
            return t
        case "[":
            var a: [Node] = []
            if id != "]" {
                while true {
                    var item = try expression(0)
                    if id == ".." {
                        let range = Node(.binary, "..", position: node.position)
                        range.lhs = item
                        try advance("..")
                        range.rhs = try expression(0)
                        item = range
                    }
                    a.append(item)
                    if id != "," { break }
                    try advance(",")
                }
            }
            try advance("]", infix: true)
            t.expressions = a
            t.kind = .unary
            return t
        case "{":
            t.pairs = try objectPairs()
            t.kind = .unary
            return t
        case "|":
            t.kind = .transform
            t.pattern = try expression(0)
            try advance("|")
            t.update = try expression(0)
            if id == "," {
                try advance(",")
                t.delete = try expression(0)
            }
            try advance("|")
            return t
        default:
            throw JSONataError(code: "S0211", position: t.position, token: t.value)
        }
    }

    mutating func objectPairs() throws(JSONataError) -> [(Node, Node)] {
        var a: [(Node, Node)] = []
        if id != "}" {
            while true {
                let n = try expression(0)
                try advance(":")
                let v = try expression(0)
                a.append((n, v))
                if id != "," { break }
                try advance(",")
            }
        }
        try advance("}", infix: true)
        return a
    }

    mutating func led(_ t: Node, _ tid: String, _ left: Node) throws(JSONataError) -> Node {
        switch tid {
        case ".", "+", "-", "*", "/", "%", "=", "<", ">", "!=", "<=", ">=", "&", "and", "or", "in", "~>", "..":
            t.lhs = left
            t.rhs = try expression(Lexer.operators[tid]!)
            t.kind = .binary
            return t
        case "??", "?:":
            t.lhs = left
            t.rhs = try expression(0)
            t.kind = .binary
            return t
        case "(":
            t.procedure = left
            t.kind = .function
            t.arguments = []
            if id != ")" {
                while true {
                    if node.kind == .op && id == "?" {
                        t.kind = .partial
                        node.kind = .placeholder
                        t.arguments.append(node)
                        try advance("?")
                    } else {
                        t.arguments.append(try expression(0))
                    }
                    if id != "," { break }
                    try advance(",")
                }
            }
            try advance(")", infix: true)
            if left.kind == .name && (left.value == "function" || left.value == "\u{03BB}") {
                for (i, arg) in t.arguments.enumerated() where arg.kind != .variable {
                    throw JSONataError(code: "S0208", position: arg.position, token: arg.value, value: .int(i + 1))
                }
                t.kind = .lambda
                t.params = t.arguments.map { $0.value }
                if id == "<" {
                    let sigPos = node.position
                    var depth = 1
                    var sig = "<"
                    while depth > 0 && id != "{" && id != "(end)" {
                        try advance()
                        if id == ">" { depth -= 1 } else if id == "<" { depth += 1 }
                        sig += node.value
                    }
                    try advance(">")
                    t.signature = try Signature(sig, position: sigPos)
                }
                try advance("{")
                t.body = try expression(0)
                try advance("}")
            }
            return t
        case "[":
            if id == "]" {
                var step: Node? = left
                while let s = step, s.kind == .binary && s.value == "[" { step = s.lhs }
                step?.keepArray = true
                try advance("]")
                return left
            }
            t.lhs = left
            t.rhs = try expression(0)
            t.kind = .binary
            try advance("]", infix: true)
            return t
        case "^":
            try advance("(")
            var terms: [(Bool, Node)] = []
            while true {
                var descending = false
                if id == "<" {
                    try advance("<")
                } else if id == ">" {
                    descending = true
                    try advance(">")
                }
                terms.append((descending, try expression(0)))
                if id != "," { break }
                try advance(",")
            }
            try advance(")")
            t.lhs = left
            t.rawTerms = terms
            t.kind = .binary
            return t
        case "{":
            t.lhs = left
            t.pairs = try objectPairs()
            t.kind = .binary
            return t
        case ":=":
            if left.kind != .variable {
                throw JSONataError(code: "S0212", position: left.position, token: left.value)
            }
            t.lhs = left
            t.rhs = try expression(Lexer.operators[":="]! - 1)
            t.kind = .binary
            return t
        case "@", "#":
            t.lhs = left
            t.rhs = try expression(Lexer.operators[tid]!)
            if t.rhs!.kind != .variable {
                throw JSONataError(code: "S0214", position: t.rhs!.position, token: tid)
            }
            t.kind = .binary
            return t
        case "?":
            t.kind = .condition
            t.condition = left
            t.then = try expression(0)
            if id == ":" {
                try advance(":")
                t.otherwise = try expression(0)
            }
            return t
        default:
            throw JSONataError(code: "S0201", position: t.position, token: t.value)
        }
    }

    // MARK: - processAST

    mutating func processAST(_ expr: Node) throws(JSONataError) -> Node {
        var result: Node
        switch expr.kind {
        case .binary:
            switch expr.value {
            case ".":
                let lstep = try processAST(expr.lhs!)
                if lstep.kind == .path {
                    result = lstep
                } else {
                    result = Node(.path, position: lstep.position)
                    result.steps = [lstep]
                }
                if lstep.kind == .parent { result.seekingParent = [lstep.slot!] }
                let rest = try processAST(expr.rhs!)
                if rest.kind == .path {
                    result.steps.append(contentsOf: rest.steps)
                } else {
                    if let p = rest.predicate {
                        rest.stages = p
                        rest.predicate = nil
                    }
                    result.steps.append(rest)
                }
                for step in result.steps {
                    if step.kind == .number || step.kind == .value {
                        throw JSONataError(
                            code: "S0213", position: step.position, token: step.value, value: .string(step.value))
                    }
                    if step.kind == .string { step.kind = .name }
                }
                if result.steps.contains(where: { $0.keepArray }) { result.keepSingletonArray = true }
                let first = result.steps[0]
                if first.kind == .unary && first.value == "[" { first.consarray = true }
                let last = result.steps[result.steps.count - 1]
                if last.kind == .unary && last.value == "[" { last.consarray = true }
                try resolveAncestry(result)
            case "[":
                result = try processAST(expr.lhs!)
                var step = result
                var isStages = false
                if result.kind == .path {
                    step = result.steps[result.steps.count - 1]
                    isStages = true
                }
                if step.group != nil { throw JSONataError(code: "S0209", position: expr.position) }
                let predicate = try processAST(expr.rhs!)
                if let seeking = predicate.seekingParent {
                    for slot in seeking {
                        if slot.level == 1 {
                            _ = try seekParent(step, slot)
                        } else {
                            slot.level -= 1
                        }
                    }
                    pushAncestry(step, predicate)
                }
                let stage = Node(.filterStage, position: expr.position)
                stage.expression = predicate
                if isStages {
                    step.stages = (step.stages ?? []) + [stage]
                } else {
                    step.predicate = (step.predicate ?? []) + [stage]
                }
            case "{":
                result = try processAST(expr.lhs!)
                if result.group != nil { throw JSONataError(code: "S0210", position: expr.position) }
                var pairs: [(Node, Node)] = []
                for (k, v) in expr.pairs { pairs.append((try processAST(k), try processAST(v))) }
                result.group = Node.Group(pairs: pairs, position: expr.position)
            case "^":
                result = try processAST(expr.lhs!)
                if result.kind != .path {
                    let p = Node(.path, position: result.position)
                    p.steps = [result]
                    result = p
                }
                let sortStep = Node(.sort, position: expr.position)
                for (desc, e) in expr.rawTerms {
                    let pe = try processAST(e)
                    pushAncestry(sortStep, pe)
                    sortStep.terms.append((desc, pe))
                }
                result.steps.append(sortStep)
                try resolveAncestry(result)
            case ":=":
                result = Node(.bind, expr.value, position: expr.position)
                result.lhs = try processAST(expr.lhs!)
                result.rhs = try processAST(expr.rhs!)
                pushAncestry(result, result.rhs!)
            case "@":
                result = try processAST(expr.lhs!)
                var step = result
                if result.kind == .path { step = result.steps[result.steps.count - 1] }
                if step.stages != nil || step.predicate != nil {
                    throw JSONataError(code: "S0215", position: expr.position)
                }
                if step.kind == .sort { throw JSONataError(code: "S0216", position: expr.position) }
                if expr.keepArray { step.keepArray = true }
                step.focus = expr.rhs!.value
                step.tuple = true
            case "#":
                result = try processAST(expr.lhs!)
                var step = result
                if result.kind == .path {
                    step = result.steps[result.steps.count - 1]
                } else {
                    let p = Node(.path, position: result.position)
                    p.steps = [result]
                    result = p
                    if let pr = step.predicate {
                        step.stages = pr
                        step.predicate = nil
                    }
                }
                if step.stages == nil {
                    step.indexVar = expr.rhs!.value
                } else {
                    let s = Node(.indexStage, expr.rhs!.value, position: expr.position)
                    step.stages!.append(s)
                }
                step.tuple = true
            case "~>":
                result = Node(.apply, expr.value, position: expr.position)
                result.lhs = try processAST(expr.lhs!)
                result.rhs = try processAST(expr.rhs!)
                result.keepArray = result.lhs!.keepArray || result.rhs!.keepArray
            default:
                result = Node(.binary, expr.value, position: expr.position)
                result.lhs = try processAST(expr.lhs!)
                result.rhs = try processAST(expr.rhs!)
                pushAncestry(result, result.lhs!)
                pushAncestry(result, result.rhs!)
            }
        case .unary:
            result = Node(.unary, expr.value, position: expr.position)
            if expr.value == "[" {
                for item in expr.expressions {
                    let v = try processAST(item)
                    pushAncestry(result, v)
                    result.expressions.append(v)
                }
            } else if expr.value == "{" {
                for (k, v) in expr.pairs {
                    let pk = try processAST(k)
                    pushAncestry(result, pk)
                    let pv = try processAST(v)
                    pushAncestry(result, pv)
                    result.pairs.append((pk, pv))
                }
            } else {
                let e = try processAST(expr.expression!)
                if expr.value == "-" && e.kind == .number {
                    result = e
                    result.num = -result.num
                } else {
                    result.expression = e
                    pushAncestry(result, e)
                }
            }
        case .function, .partial:
            result = Node(expr.kind, expr.value, position: expr.position)
            for arg in expr.arguments {
                let a = try processAST(arg)
                pushAncestry(result, a)
                result.arguments.append(a)
            }
            result.procedure = try processAST(expr.procedure!)
        case .lambda:
            result = Node(.lambda, position: expr.position)
            result.params = expr.params
            result.signature = expr.signature
            let body = try processAST(expr.body!)
            result.body = tailCallOptimize(body)
        case .condition:
            result = Node(.condition, position: expr.position)
            result.condition = try processAST(expr.condition!)
            pushAncestry(result, result.condition!)
            result.then = try processAST(expr.then!)
            pushAncestry(result, result.then!)
            if let e = expr.otherwise {
                result.otherwise = try processAST(e)
                pushAncestry(result, result.otherwise!)
            }
        case .transform:
            result = Node(.transform, position: expr.position)
            result.pattern = try processAST(expr.pattern!)
            result.update = try processAST(expr.update!)
            if let d = expr.delete { result.delete = try processAST(d) }
        case .block:
            result = Node(.block, position: expr.position)
            for item in expr.expressions {
                let part = try processAST(item)
                pushAncestry(result, part)
                if part.consarray || (part.kind == .path && part.steps[0].consarray) { result.consarray = true }
                result.expressions.append(part)
            }
        case .name:
            result = Node(.path, position: expr.position)
            result.steps = [expr]
            if expr.keepArray { result.keepSingletonArray = true }
        case .parent:
            result = Node(.parent, position: expr.position)
            result.slot = Slot(label: "!\(ancestorLabel)", level: 1, index: ancestorIndex)
            ancestorLabel += 1
            ancestorIndex += 1
            ancestry.append(result)
        case .string, .number, .value, .wildcard, .descendant, .variable, .regex, .placeholder:
            result = expr
        case .op:
            if expr.value == "and" || expr.value == "or" || expr.value == "in" {
                expr.kind = .name
                result = try processAST(expr)
            } else if expr.value == "(end)" {
                throw JSONataError(code: "S0207", position: expr.position, token: expr.value)
            } else {
                throw JSONataError(code: "S0201", position: expr.position, token: expr.value)
            }
        default:
            throw JSONataError(code: "S0206", position: expr.position, token: expr.value)
        }
        if expr.keepArray { result.keepArray = true }
        return result
    }

    func tailCallOptimize(_ expr: Node) -> Node {
        if expr.kind == .function && expr.predicate == nil {
            let thunk = Node(.lambda, position: expr.position)
            thunk.thunk = true
            thunk.body = expr
            return thunk
        } else if expr.kind == .condition {
            expr.then = tailCallOptimize(expr.then!)
            if let e = expr.otherwise { expr.otherwise = tailCallOptimize(e) }
            return expr
        } else if expr.kind == .block {
            if let last = expr.expressions.last {
                expr.expressions[expr.expressions.count - 1] = tailCallOptimize(last)
            }
            return expr
        }
        return expr
    }

    mutating func seekParent(_ node: Node, _ slotIn: Slot) throws(JSONataError) -> Slot {
        var slot = slotIn
        switch node.kind {
        case .name, .wildcard:
            slot.level -= 1
            if slot.level == 0 {
                if let existing = node.ancestor {
                    ancestry[slot.index].slot!.label = existing.label
                    node.ancestor = slot
                } else {
                    node.ancestor = slot
                }
                node.tuple = true
            }
        case .parent:
            slot.level += 1
        case .block:
            if let last = node.expressions.last {
                node.tuple = true
                slot = try seekParent(last, slot)
            }
        case .path:
            node.tuple = true
            var index = node.steps.count - 1
            slot = try seekParent(node.steps[index], slot)
            index -= 1
            while slot.level > 0 && index >= 0 {
                slot = try seekParent(node.steps[index], slot)
                index -= 1
            }
        default:
            throw JSONataError(code: "S0217", position: node.position, token: "\(node.kind)")
        }
        return slot
    }

    func pushAncestry(_ result: Node, _ value: Node) {
        if value.seekingParent != nil || value.kind == .parent {
            var slots = value.seekingParent ?? []
            if value.kind == .parent { slots.append(value.slot!) }
            if result.seekingParent == nil {
                result.seekingParent = slots
            } else {
                result.seekingParent!.append(contentsOf: slots)
            }
        }
    }

    mutating func resolveAncestry(_ path: Node) throws(JSONataError) {
        var index = path.steps.count - 1
        let laststep = path.steps[index]
        var slots = laststep.seekingParent ?? []
        if laststep.kind == .parent { slots.append(laststep.slot!) }
        for var slot in slots {
            index = path.steps.count - 2
            while slot.level > 0 {
                if index < 0 {
                    if path.seekingParent == nil {
                        path.seekingParent = [slot]
                    } else {
                        path.seekingParent!.append(slot)
                    }
                    break
                }
                var step = path.steps[index]
                index -= 1
                while index >= 0 && step.focus != nil && path.steps[index].focus != nil {
                    step = path.steps[index]
                    index -= 1
                }
                slot = try seekParent(step, slot)
            }
        }
    }
}
