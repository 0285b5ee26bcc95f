import FlowJSON
import Synchronization

/// The per-evaluation state: resource limits, global bindings, and the tree-walking evaluator itself
/// (a port of jsonata-js's `evaluate*` functions).
final class Evaluator {
    let globals: [String: JSON]
    /// False when no global binding has the name of a library function, so a `$name` naming one
    /// needs no lookup in `globals`.
    let globalsShadowBuiltins: Bool
    let maxDepth: Int
    let stackLimit: Int
    /// The time budget; the clock is first read after 256 steps, so short evaluations never read it.
    let timeLimit: Duration?
    @exclusivity(unchecked) var deadline: ContinuousClock.Instant?
    @exclusivity(unchecked) var depth = 0
    @exclusivity(unchecked) var ticks = 0
    @exclusivity(unchecked) var stackBase: UInt = 0
    @exclusivity(unchecked) var nowCache: Int64?
    @exclusivity(unchecked) var rootInput: Value?
    /// Set when evaluation stopped because it ran out of its native stack budget.
    @exclusivity(unchecked) var stackExhausted = false
    /// The scope of the expression's top level; kept for the next evaluation when nothing else
    /// (a function value that outlived the evaluation) holds it.
    @exclusivity(unchecked) private var root = Frame(parent: nil)

    init(globals: [String: JSON], globalsShadowBuiltins: Bool = true, maxDepth: Int, stackLimit: Int, timeLimit: Duration?) {
        self.globals = globals
        self.globalsShadowBuiltins = globalsShadowBuiltins && !globals.isEmpty
        self.maxDepth = maxDepth
        self.stackLimit = stackLimit
        self.timeLimit = timeLimit
    }

    /// An empty top-level scope for an evaluation.
    func rootFrame() -> Frame {
        if isKnownUniquelyReferenced(&root) {
            if !root.names.isEmpty {
                root.names.removeAll(keepingCapacity: true)
                root.values.removeAll(keepingCapacity: true)
            }
        } else {
            root = Frame(parent: nil)
        }
        return root
    }

    /// Readies the evaluator for another evaluation with the same globals and limits.
    func reset() {
        deadline = nil
        depth = 0
        ticks = 0
        nowCache = nil
        rootInput = nil
        stackExhausted = false
    }

    /// The evaluation's deadline, starting the clock if it has not started yet (nil without a time limit).
    func absoluteDeadline() -> ContinuousClock.Instant? {
        guard let timeLimit else { return nil }
        if let deadline { return deadline }
        let d = ContinuousClock.now.advanced(by: timeLimit)
        deadline = d
        return d
    }

    // MARK: - lookup

    @inline(__always)
    func lookup(_ name: String, _ env: Frame) -> Value? {
        let (found, v) = env.lookup(name)
        if found { return v }
        if !globals.isEmpty, let g = globals[name] { return Value(g) }
        if let b = Builtins.table[name] { return .function(FunctionRef(.builtin(b), signature: b.signature)) }
        if name == "$" { return rootInput }
        return nil
    }

    // MARK: - evaluate

    @inline(__always)
    func stackAddress() -> UInt {
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
    }

    func checkLimits(_ expr: Node) throws(JSONataError) {
        if depth > maxDepth {
            throw JSONataError(code: "U1001", position: expr.position)
        }
        let here = stackAddress()
        if stackBase > here && stackBase - here > UInt(stackLimit) {
            stackExhausted = true
            throw JSONataError(code: "U1001", position: expr.position)
        }
        if ticks & 255 == 0, let timeLimit {
            let now = ContinuousClock.now
            guard let deadline else {
                deadline = now.advanced(by: timeLimit)
                return
            }
            guard now > deadline else { return }
            throw JSONataError(code: "U1001", message: "Expression evaluation timeout: Check for infinite loop", position: expr.position)
        }
    }

    func evaluate(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        depth += 1
        defer { depth -= 1 }
        ticks &+= 1
        if depth > 60 || ticks & 255 == 0 { try checkLimits(expr) }
        var result: Value?
        switch expr.kind {
        case .path:
            if expr.simpleName, let input, !input.isArray {
                return input.field(expr.steps[0].value)
            }
            result = try evaluatePath(expr, input, env)
        case .binary: result = try evaluateBinary(expr, input, env)
        case .unary: result = try evaluateUnary(expr, input, env)
        case .name: result = Evaluator.lookupField(input, expr.value)
        case .string: result = .string(expr.value)
        case .number: result = .number(expr.num)
        case .value:
            switch expr.value {
            case "true": result = .bool(true)
            case "false": result = .bool(false)
            default: result = .null
            }
        case .wildcard: result = evaluateWildcard(input)
        case .descendant: result = evaluateDescendants(input)
        case .parent: result = lookup(expr.slot!.label, env)
        case .condition:
            let c = try evaluate(expr.condition!, input, env)
            if Builtins.boolean(c) == true {
                result = try evaluate(expr.then!, input, env)
            } else if let e = expr.otherwise {
                result = try evaluate(e, input, env)
            }
        case .block:
            let frame = Frame(parent: env)
            for e in expr.expressions { result = try evaluate(e, input, frame) }
        case .bind:
            let v = try evaluate(expr.rhs!, input, env)
            env.bind(expr.lhs!.value, v)
            result = v
        case .regex: result = .function(Regexes.matcher(expr.regex!))
        case .function: result = try evaluateFunction(expr, input, env, applyTo: nil)
        case .variable:
            if expr.value.isEmpty {
                if case .array(let a)? = input, a.outerWrapper, !a.items.isEmpty { result = a.items[0] } else { result = input }
            } else if let cached = expr.cachedFunction {
                let (found, v) = env.lookup(expr.value)
                if found { result = v } else if globalsShadowBuiltins, let g = globals[expr.value] { result = Value(g) } else { result = .function(cached) }
            } else {
                result = lookup(expr.value, env)
            }
        case .lambda:
            result = .function(FunctionRef(.lambda(node: expr, input: input, env: env, params: expr.params), signature: expr.signature))
        case .partial: result = try evaluatePartial(expr, input, env)
        case .apply: result = try evaluateApply(expr, input, env)
        case .transform: result = .function(transformFunction(expr, env))
        case .sort, .filterStage, .indexStage, .placeholder, .op:
            result = nil
        }
        if let preds = expr.predicate {
            for p in preds { result = try evaluateFilter(p.expression!, result, env) }
        }
        if expr.kind != .path, let g = expr.group {
            result = try evaluateGroup(g.pairs, g.position, result, env)
        }
        if case .array(let a)? = result, a.sequence, !a.tupleStream {
            if expr.keepArray { a.keepSingleton = true }
            if a.items.isEmpty { return nil }
            if a.items.count == 1 { return a.keepSingleton ? result : a.items[0] }
        }
        return result
    }

    static func lookupField(_ input: Value?, _ key: String) -> Value? {
        guard let input else { return nil }
        if case .array(let arr) = input {
            let out = ArrayRef.seq()
            for item in arr.items {
                if let r = lookupField(item, key) {
                    if case .array(let ra) = r { out.items.append(contentsOf: ra.items) } else { out.items.append(r) }
                }
            }
            return .array(out)
        }
        return input.field(key)
    }

    // MARK: - paths

    func evaluatePath(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var inputSequence: ArrayRef
        // jsonata-js iterates once over an undefined context (a sequence holding `undefined`)
        var undefinedInput = false
        if case .array(let a)? = input, expr.steps[0].kind != .variable {
            inputSequence = a
        } else {
            inputSequence = ArrayRef.seq()
            if let input { inputSequence.items.append(input) } else { undefinedInput = true }
        }
        var resultSequence: Value? = nil
        var isTupleStream = false
        var tupleBindings: ArrayRef? = nil
        for (ii, step) in expr.steps.enumerated() {
            if step.tuple { isTupleStream = true }
            if ii == 0 && step.consarray {
                resultSequence = try evaluate(step, .array(inputSequence), env)
            } else if isTupleStream {
                tupleBindings = try evaluateTupleStep(step, inputSequence, tupleBindings, env)
            } else {
                resultSequence = .array(
                    try evaluateStep(
                        step, inputSequence, env, lastStep: ii == expr.steps.count - 1, undefinedInput: ii == 0 && undefinedInput))
            }
            if !isTupleStream {
                guard let rs = resultSequence else { break }
                if case .array(let ra) = rs, ra.items.isEmpty { break }
            }
            if step.focus == nil {
                if isTupleStream {
                    // jsonata-js keeps inputSequence as the last non-tuple result here
                } else if let rs = resultSequence {
                    if case .array(let ra) = rs { inputSequence = ra } else {
                        inputSequence = ArrayRef(sequence: [rs])
                    }
                }
            }
        }
        if isTupleStream {
            if expr.tuple {
                resultSequence = tupleBindings.map { .array($0) }
            } else {
                let out = ArrayRef.seq()
                for t in tupleBindings?.items ?? [] {
                    if case .object(let o) = t, let v = o["@"] { out.items.append(v) }
                }
                resultSequence = .array(out)
            }
        }
        if expr.keepSingletonArray {
            if case .array(let a)? = resultSequence, a.cons, !a.sequence {
                let s = ArrayRef(sequence: [.array(a)])
                resultSequence = .array(s)
            }
            if case .array(let a)? = resultSequence {
                a.keepSingleton = true
            } else if let rs = resultSequence {
                let s = ArrayRef(sequence: [rs])
                s.keepSingleton = true
                resultSequence = .array(s)
            }
        }
        if let g = expr.group {
            resultSequence = try evaluateGroup(
                g.pairs, g.position, isTupleStream ? tupleBindings.map { .array($0) } : resultSequence, env)
        }
        return resultSequence
    }

    func evaluateStep(_ expr: Node, _ input: ArrayRef, _ env: Frame, lastStep: Bool, undefinedInput: Bool = false) throws(JSONataError) -> ArrayRef {
        if expr.kind == .sort {
            var result = try evaluateSort(expr, input, env)
            if let stages = expr.stages { result = try evaluateStages(stages, result, env) }
            return result
        }
        var results: [Value] = []
        results.reserveCapacity(input.items.count)
        let count = undefinedInput ? 1 : input.items.count
        for i in 0..<count {
            let item: Value? = undefinedInput ? nil : input.items[i]
            var res = try evaluate(expr, item, env)
            if let stages = expr.stages {
                for s in stages { res = try evaluateFilter(s.expression!, res, env) }
            }
            if let res { results.append(res) }
        }
        if lastStep && results.count == 1, case .array(let a) = results[0], !a.sequence {
            return a
        }
        let out = ArrayRef.seq()
        for r in results {
            if case .array(let a) = r, !a.cons {
                out.items.append(contentsOf: a.items)
            } else {
                out.items.append(r)
            }
        }
        return out
    }

    func evaluateStages(_ stages: [Node], _ input: ArrayRef, _ env: Frame) throws(JSONataError) -> ArrayRef {
        var result = input
        for stage in stages {
            switch stage.kind {
            case .filterStage:
                let r = try evaluateFilter(stage.expression!, .array(result), env)
                if case .array(let a)? = r { result = a } else { result = ArrayRef.seq() }
            case .indexStage:
                for (i, t) in result.items.enumerated() {
                    if case .object(let o) = t { o[stage.value] = .number(Double(i)) }
                }
            default: break
            }
        }
        return result
    }

    static func tupleFrame(_ env: Frame, _ tuple: Value) -> Frame {
        let f = Frame(parent: env)
        if case .object(let o) = tuple {
            for i in o.keys.indices where o.keys[i] != "@" {
                f.names.append(o.keys[i])
                f.values.append(o.values[i])
            }
        }
        return f
    }

    func evaluateTupleStep(_ expr: Node, _ input: ArrayRef, _ tupleBindingsIn: ArrayRef?, _ env: Frame) throws(JSONataError) -> ArrayRef {
        if expr.kind == .sort {
            var result: ArrayRef
            if let tb = tupleBindingsIn {
                result = try evaluateSort(expr, tb, env)
            } else {
                let sorted = try evaluateSort(expr, input, env)
                result = ArrayRef.seq()
                result.tupleStream = true
                for (i, v) in sorted.items.enumerated() {
                    let t = ObjRef()
                    t["@"] = v
                    if let iv = expr.indexVar { t[iv] = .number(Double(i)) }
                    result.items.append(.object(t))
                }
            }
            if let stages = expr.stages { result = try evaluateStages(stages, result, env) }
            return result
        }
        var result = ArrayRef.seq()
        result.tupleStream = true
        let tupleBindings: ArrayRef
        if let tb = tupleBindingsIn {
            tupleBindings = tb
        } else {
            tupleBindings = ArrayRef.seq()
            for item in input.items {
                let t = ObjRef()
                t["@"] = item
                tupleBindings.items.append(.object(t))
            }
        }
        for tb in tupleBindings.items {
            guard case .object(let tuple) = tb else { continue }
            let stepEnv = Evaluator.tupleFrame(env, tb)
            guard let res = try evaluate(expr, tuple["@"], stepEnv) else { continue }
            let resItems: [Value]
            var resIsTuple = false
            if case .array(let ra) = res {
                resItems = ra.items
                resIsTuple = ra.tupleStream
            } else {
                resItems = [res]
            }
            for (bb, rv) in resItems.enumerated() {
                let t = tuple.copy()
                if resIsTuple, case .object(let ro) = rv {
                    for i in ro.keys.indices { t[ro.keys[i]] = ro.values[i] }
                } else {
                    if let focus = expr.focus {
                        t[focus] = rv
                        t["@"] = tuple["@"]
                    } else {
                        t["@"] = rv
                    }
                    if let iv = expr.indexVar { t[iv] = .number(Double(bb)) }
                    if let anc = expr.ancestor { t[anc.label] = tuple["@"] }
                }
                result.items.append(.object(t))
            }
        }
        if let stages = expr.stages { result = try evaluateStages(stages, result, env) }
        return result
    }

    func evaluateFilter(_ predicate: Node, _ inputIn: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let results = ArrayRef.seq()
        var input: ArrayRef
        if case .array(let a)? = inputIn {
            input = a
            if a.tupleStream { results.tupleStream = true }
        } else {
            input = ArrayRef.seq()
            if let inputIn { input.items.append(inputIn) }
        }
        if predicate.kind == .number {
            var index = predicate.num.rounded(.down).clampedInt
            if index < 0 { index = input.items.count + index }
            if index >= 0 && index < input.items.count {
                let item = input.items[index]
                if case .array = item { return item }
                results.items.append(item)
            }
            return .array(results)
        }
        for (index, item) in input.items.enumerated() {
            var context: Value? = item
            var e = env
            if input.tupleStream {
                if case .object(let o) = item { context = o["@"] }
                e = Evaluator.tupleFrame(env, item)
            }
            let res = try evaluate(predicate, context, e)
            if case .number(let n)? = res {
                var ii = n.rounded(.down).clampedInt
                if ii < 0 { ii = input.items.count + ii }
                if ii == index { results.items.append(item) }
            } else if case .array(let ra)? = res, !ra.items.isEmpty, ra.items.allSatisfy({ $0.number != nil }) {
                for v in ra.items {
                    var ii = v.number!.rounded(.down).clampedInt
                    if ii < 0 { ii = input.items.count + ii }
                    if ii == index { results.items.append(item) }
                }
            } else if Builtins.boolean(res) == true {
                results.items.append(item)
            }
        }
        return .array(results)
    }

    // MARK: - wildcard / descendants

    func evaluateWildcard(_ inputIn: Value?) -> Value? {
        let results = ArrayRef.seq()
        var input = inputIn
        if case .array(let a)? = input, a.outerWrapper, !a.items.isEmpty { input = a.items[0] }
        guard let input else { return .array(results) }
        let values: [Value]
        if case .array(let a) = input {
            values = a.items
        } else if input.isObject {
            values = input.entries.map { $0.1 }
        } else {
            return .array(results)
        }
        for v in values {
            if case .array(let a) = v {
                var flat: [Value] = []
                Evaluator.flatten(a, &flat)
                results.items.append(contentsOf: flat)
            } else {
                results.items.append(v)
            }
        }
        return .array(results)
    }

    static func flatten(_ a: ArrayRef, _ out: inout [Value]) {
        for v in a.items {
            if case .array(let inner) = v { flatten(inner, &out) } else { out.append(v) }
        }
    }

    func evaluateDescendants(_ input: Value?) -> Value? {
        guard let input else { return nil }
        let results = ArrayRef.seq()
        Evaluator.recurseDescendants(input, results)
        if results.items.count == 1 { return results.items[0] }
        return .array(results)
    }

    static func recurseDescendants(_ input: Value, _ results: ArrayRef) {
        if case .array(let a) = input {
            for m in a.items { recurseDescendants(m, results) }
        } else {
            results.items.append(input)
            if input.isObject {
                for (_, v) in input.entries { recurseDescendants(v, results) }
            }
        }
    }

    // MARK: - operators

    func evaluateBinary(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let lhs = try evaluate(expr.lhs!, input, env)
        let op = expr.op
        switch op {
        case .and:
            if Builtins.boolean(lhs) != true { return .bool(false) }
            return .bool(Builtins.boolean(try evaluate(expr.rhs!, input, env)) == true)
        case .or:
            if Builtins.boolean(lhs) == true { return .bool(true) }
            return .bool(Builtins.boolean(try evaluate(expr.rhs!, input, env)) == true)
        case .coalesce:
            if lhs != nil { return lhs }
            return try evaluate(expr.rhs!, input, env)
        case .elvis:
            if Builtins.boolean(lhs) == true { return lhs }
            return try evaluate(expr.rhs!, input, env)
        default: break
        }
        let rhs = try evaluate(expr.rhs!, input, env)
        do throws(JSONataError) {
            switch op {
            case .add, .sub, .mul, .div, .mod:
                if case .number(let l)? = lhs, case .number(let r)? = rhs {
                    let result = Evaluator.arithmetic(op, l, r)
                    if result.isFinite { return .number(result) }
                }
                return try Evaluator.numeric(lhs, rhs, expr.value)
            case .eq:
                if lhs == nil || rhs == nil { return .bool(false) }
                return .bool(Value.deepEqual(lhs, rhs))
            case .ne:
                if lhs == nil || rhs == nil { return .bool(false) }
                return .bool(!Value.deepEqual(lhs, rhs))
            case .lt, .le, .gt, .ge:
                if case .number(let a)? = lhs, case .number(let b)? = rhs { return .bool(Evaluator.order(op, a, b)) }
                return try Evaluator.compare(lhs, rhs, expr.value)
            case .concat:
                let l = lhs == nil ? "" : try Builtins.string(lhs!)
                let r = rhs == nil ? "" : try Builtins.string(rhs!)
                return .string(l + r)
            case .range:
                return try Evaluator.range(lhs, rhs)
            case .inOp:
                guard let lhs, let rhs else { return .bool(false) }
                for v in rhs.asList where Value.strictEqual(v, lhs) { return .bool(true) }
                return .bool(false)
            default:
                throw JSONataError(code: "S0201", position: expr.position, token: expr.value)
            }
        } catch {
            var e = error
            e.position = expr.position
            e.token = expr.value
            e.message = JSONataError.defaultMessage(code: e.code, token: expr.value, value: e.value)
            throw e
        }
    }

    /// `+ - * / %` on two numbers (the caller checks that the result is finite).
    @inline(__always)
    static func arithmetic(_ op: Node.BinOp, _ l: Double, _ r: Double) -> Double {
        switch op {
        case .add: return l + r
        case .sub: return l - r
        case .mul: return l * r
        case .div: return l / r
        default: return l.truncatingRemainder(dividingBy: r)
        }
    }

    /// `< <= > >=` on two numbers.
    @inline(__always)
    static func order(_ op: Node.BinOp, _ a: Double, _ b: Double) -> Bool {
        switch op {
        case .lt: return a < b
        case .le: return a <= b
        case .gt: return a > b
        default: return a >= b
        }
    }

    static func numeric(_ lhs: Value?, _ rhs: Value?, _ op: String) throws(JSONataError) -> Value? {
        var l = 0.0, r = 0.0
        if let lhs {
            guard case .number(let n) = lhs else { throw JSONataError(code: "T2001", value: lhs.errorJSON) }
            l = n
        }
        if let rhs {
            guard case .number(let n) = rhs else { throw JSONataError(code: "T2002", value: rhs.errorJSON) }
            r = n
        }
        if lhs == nil || rhs == nil { return nil }
        let result: Double
        switch op {
        case "+": result = l + r
        case "-": result = l - r
        case "*": result = l * r
        case "/": result = l / r
        default: result = l.truncatingRemainder(dividingBy: r)
        }
        if !result.isFinite { throw JSONataError(code: "D1001", value: .double(result.isNaN ? 0 : result)) }
        return .number(result)
    }

    static func compare(_ lhs: Value?, _ rhs: Value?, _ op: String) throws(JSONataError) -> Value? {
        func comparable(_ v: Value?) -> Bool {
            switch v {
            case nil, .string?, .number?: return true
            default: return false
            }
        }
        if !comparable(lhs) || !comparable(rhs) {
            throw JSONataError(code: "T2010", value: (!comparable(lhs) ? lhs : rhs)?.errorJSON)
        }
        guard let lhs, let rhs else { return nil }
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)):
            switch op {
            case "<": return .bool(a < b)
            case "<=": return .bool(a <= b)
            case ">": return .bool(a > b)
            default: return .bool(a >= b)
            }
        case (.string(let a), .string(let b)):
            let c = Builtins.compareUTF16(a, b)
            switch op {
            case "<": return .bool(c < 0)
            case "<=": return .bool(c <= 0)
            case ">": return .bool(c > 0)
            default: return .bool(c >= 0)
            }
        default:
            throw JSONataError(code: "T2009", value: lhs.errorJSON)
        }
    }

    static func range(_ lhs: Value?, _ rhs: Value?) throws(JSONataError) -> Value? {
        if let lhs {
            guard case .number(let n) = lhs, n.rounded() == n else { throw JSONataError(code: "T2003", value: lhs.errorJSON) }
        }
        if let rhs {
            guard case .number(let n) = rhs, n.rounded() == n else { throw JSONataError(code: "T2004", value: rhs.errorJSON) }
        }
        guard case .number(let l)? = lhs, case .number(let r)? = rhs else { return nil }
        if l > r { return nil }
        let size = r - l + 1
        if size > 1e7 { throw JSONataError(code: "D2014", value: Value.jsonNumber(size)) }
        let out = ArrayRef.seq()
        out.items.reserveCapacity(size.clampedInt)
        var i = l.clampedInt
        let end = r.clampedInt
        while i <= end {
            out.items.append(.number(Double(i)))
            i += 1
        }
        return .array(out)
    }

    func evaluateUnary(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        switch expr.value {
        case "-":
            guard let v = try evaluate(expr.expression!, input, env) else { return nil }
            guard case .number(let n) = v else {
                throw JSONataError(code: "D1002", position: expr.position, token: "-", value: v.errorJSON)
            }
            return .number(-n)
        case "[":
            var items: [Value] = []
            for item in expr.expressions {
                guard let v = try evaluate(item, input, env) else { continue }
                if item.kind == .unary && item.value == "[" {
                    items.append(v)
                } else if case .array(let a) = v {
                    items.append(contentsOf: a.items)
                } else {
                    items.append(v)
                }
            }
            let arr = ArrayRef(items)
            if expr.consarray { arr.cons = true }
            return .array(arr)
        case "{":
            return try evaluateGroup(expr.pairs, expr.position, input, env)
        default:
            return nil
        }
    }

    // MARK: - grouping, sorting

    func evaluateGroup(_ pairs: [(Node, Node)], _ position: Int, _ inputIn: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var reduce = false
        var input: [Value?]
        if case .array(let a)? = inputIn {
            reduce = a.tupleStream
            input = a.items.map { $0 }
        } else {
            input = [inputIn]
        }
        if input.isEmpty { input.append(nil) }
        var groupKeys: [String] = []
        var groups: [String: (data: Value?, exprIndex: Int)] = [:]
        for item in input {
            let e = reduce && item != nil ? Evaluator.tupleFrame(env, item!) : env
            var context = item
            if reduce, case .object(let o)? = item { context = o["@"] }
            for (pairIndex, pair) in pairs.enumerated() {
                let key = try evaluate(pair.0, context, e)
                guard let key else { continue }
                guard case .string(let k) = key else {
                    throw JSONataError(code: "T1003", position: position, value: key.errorJSON)
                }
                if let existing = groups[k] {
                    if existing.exprIndex != pairIndex {
                        throw JSONataError(code: "D1009", position: position, value: key.errorJSON)
                    }
                    groups[k] = (Builtins.append(existing.data, item), pairIndex)
                } else {
                    groups[k] = (item, pairIndex)
                    groupKeys.append(k)
                }
            }
        }
        let result = ObjRef()
        for k in groupKeys {
            let entry = groups[k]!
            var context = entry.data
            var e = env
            if reduce {
                let tuple = Evaluator.reduceTupleStream(entry.data)
                context = tuple["@"]
                tuple["@"] = nil
                e = Evaluator.tupleFrame(env, .object(tuple))
            }
            if let v = try evaluate(pairs[entry.exprIndex].1, context, e) {
                result.keys.append(k)
                result.values.append(v)
            }
        }
        return .object(result)
    }

    static func reduceTupleStream(_ stream: Value?) -> ObjRef {
        guard let stream else { return ObjRef() }
        if case .object(let o) = stream { return o.copy() }
        guard case .array(let a) = stream, !a.items.isEmpty, case .object(let first) = a.items[0] else { return ObjRef() }
        let result = first.copy()
        for t in a.items.dropFirst() {
            guard case .object(let o) = t else { continue }
            for i in o.keys.indices {
                result[o.keys[i]] = Builtins.append(result[o.keys[i]], o.values[i])
            }
        }
        return result
    }

    func evaluateSort(_ expr: Node, _ input: ArrayRef, _ env: Frame) throws(JSONataError) -> ArrayRef {
        let isTuple = input.tupleStream
        func term(_ v: Value, _ t: Node) throws(JSONataError) -> Value? {
            if isTuple {
                var ctx: Value? = nil
                if case .object(let o) = v { ctx = o["@"] }
                return try evaluate(t, ctx, Evaluator.tupleFrame(env, v))
            }
            return try evaluate(t, v, env)
        }
        let sorted = try Builtins.mergeSort(input.items) { (a, b) throws(JSONataError) -> Bool in
            var comp = 0
            for t in expr.terms {
                if comp != 0 { break }
                let aa = try term(a, t.expr)
                let bb = try term(b, t.expr)
                guard let aa else {
                    comp = bb == nil ? 0 : 1
                    continue
                }
                guard let bb else {
                    comp = -1
                    continue
                }
                switch (aa, bb) {
                case (.number(let x), .number(let y)):
                    if x == y { continue }
                    comp = x < y ? -1 : 1
                case (.string(let x), .string(let y)):
                    if x == y { continue }
                    comp = Builtins.compareUTF16(x, y) < 0 ? -1 : 1
                case (.number, .string), (.string, .number):
                    throw JSONataError(code: "T2007", position: expr.position, value: aa.errorJSON)
                default:
                    let bad: Value
                    switch aa {
                    case .number, .string: bad = bb
                    default: bad = aa
                    }
                    throw JSONataError(code: "T2008", position: expr.position, value: bad.errorJSON)
                }
                if t.descending { comp = -comp }
            }
            return comp == 1
        }
        let out = ArrayRef(sorted)
        out.sequence = true
        out.tupleStream = input.tupleStream
        return out
    }

    // MARK: - functions

    func evaluateFunction(_ expr: Node, _ input: Value?, _ env: Frame, applyTo: Value??) throws(JSONataError) -> Value? {
        let proc = try evaluate(expr.procedure!, input, env)
        let procName: String
        if expr.procedure!.kind == .path { procName = expr.procedure!.steps[0].value } else { procName = expr.procedure!.value }
        if proc == nil && expr.procedure!.kind == .path && lookup(procName, env) != nil {
            throw JSONataError(code: "T1005", position: expr.position, token: procName)
        }
        var args: [Value?] = []
        args.reserveCapacity(expr.arguments.count + 1)
        if let applyTo { args.append(applyTo) }
        for a in expr.arguments { args.append(try evaluate(a, input, env)) }
        do throws(JSONataError) {
            return try apply(proc, args, input, env)
        } catch {
            var e = error
            if e.position == 0 { e.position = expr.position }
            if e.token == nil {
                e.token = procName
                if e.code.hasPrefix("T04") { e.message = JSONataError.defaultMessage(code: e.code, token: procName, value: e.value) }
            }
            throw e
        }
    }

    func apply(_ proc: Value?, _ args: [Value?], _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var result = try applyInner(proc, args, input, env)
        while case .function(let f)? = result, f.isThunk, case .lambda(let node, let tinput, let tenv, _) = f.kind {
            let call = node.body!
            let next = try evaluate(call.procedure!, tinput, tenv)
            var evaluated: [Value?] = []
            for a in call.arguments { evaluated.append(try evaluate(a, tinput, tenv)) }
            do throws(JSONataError) {
                result = try applyInner(next, evaluated, input, env)
            } catch {
                var e = error
                if e.position == 0 { e.position = call.position }
                if e.token == nil, call.procedure!.kind == .variable || call.procedure!.kind == .path {
                    e.token = call.procedure!.kind == .path ? call.procedure!.steps[0].value : call.procedure!.value
                }
                throw e
            }
        }
        return result
    }

    func applyInner(_ proc: Value?, _ argsIn: [Value?], _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        guard case .function(let f)? = proc else {
            throw JSONataError(code: "T1006")
        }
        var args = argsIn
        if let sig = f.signature {
            args = try sig.validate(args, context: input)
        }
        switch f.kind {
        case .lambda(let node, let linput, let lenv, let params):
            let frame = Frame(parent: lenv)
            for (i, p) in params.enumerated() {
                frame.names.append(p)
                frame.values.append(i < args.count ? args[i] : nil)
            }
            return try evaluate(node.body!, linput, frame)
        case .builtin(let b):
            return try b.impl(self, args, input, env)
        case .partialNative(let base, let bound, let holes):
            var full: [Value?] = []
            var k = 0
            for (i, h) in holes.enumerated() {
                if h {
                    full.append(k < args.count ? args[k] : nil)
                    k += 1
                } else {
                    full.append(bound[i])
                }
            }
            return try applyInner(.function(base), full, input, env)
        case .closure(_, let body):
            return try body(self, args, input, env)
        }
    }

    /// Calls a function value from a higher-order builtin, passing only as many arguments as it declares.
    func callHOF(_ f: Value, _ args: [Value?], _ env: Frame) throws(JSONataError) -> Value? {
        guard case .function(let fr) = f else { return try apply(f, args, nil, env) }
        let arity = fr.arity
        let passed = arity < args.count ? Array(args.prefix(arity)) : args
        return try apply(f, passed, nil, env)
    }

    func evaluatePartial(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        var args: [Value?] = []
        var holes: [Bool] = []
        for a in expr.arguments {
            if a.kind == .placeholder {
                args.append(nil)
                holes.append(true)
            } else {
                args.append(try evaluate(a, input, env))
                holes.append(false)
            }
        }
        let proc = try evaluate(expr.procedure!, input, env)
        let procName = expr.procedure!.kind == .path ? expr.procedure!.steps[0].value : expr.procedure!.value
        if proc == nil && expr.procedure!.kind == .path && lookup(procName, env) != nil {
            throw JSONataError(code: "T1007", position: expr.position, token: procName)
        }
        guard case .function(let f)? = proc else {
            throw JSONataError(code: "T1008", position: expr.position, token: procName)
        }
        switch f.kind {
        case .lambda(let node, let linput, let lenv, let params):
            let frame = Frame(parent: lenv)
            var unbound: [String] = []
            for (i, p) in params.enumerated() {
                if i < holes.count && holes[i] {
                    unbound.append(p)
                } else {
                    frame.bind(p, i < args.count ? args[i] : nil)
                }
            }
            return .function(FunctionRef(.lambda(node: node, input: linput, env: frame, params: unbound)))
        default:
            // parameters beyond the supplied arguments are bound to undefined, as in jsonata-js
            var fullHoles = holes
            var fullArgs = args
            let arity = f.arity
            while fullHoles.count < arity {
                fullHoles.append(false)
                fullArgs.append(nil)
            }
            return .function(FunctionRef(.partialNative(f, fullArgs, holes: fullHoles)))
        }
    }

    func evaluateApply(_ expr: Node, _ input: Value?, _ env: Frame) throws(JSONataError) -> Value? {
        let lhs = try evaluate(expr.lhs!, input, env)
        if expr.rhs!.kind == .function {
            return try evaluateFunction(expr.rhs!, input, env, applyTo: .some(lhs))
        }
        let fn = try evaluate(expr.rhs!, input, env)
        guard case .function = fn else {
            throw JSONataError(code: "T2006", position: expr.position, value: fn?.errorJSON)
        }
        if case .function = lhs {
            let f1 = lhs!, f2 = fn!
            return .function(FunctionRef(.closure(arity: 1, body: { (ev, args, _, env) throws(JSONataError) -> Value? in
                let r = try ev.apply(f1, args, nil, env)
                return try ev.apply(f2, [r], nil, env)
            })))
        }
        return try apply(fn, [lhs], nil, env)
    }

    // MARK: - transform

    func transformFunction(_ expr: Node, _ env: Frame) -> FunctionRef {
        let sig = try? Signature("<(oa):o>", position: 0)
        return FunctionRef(.closure(arity: 1, body: { (ev, args, _, _) throws(JSONataError) -> Value? in
            guard let obj = args.first ?? nil else { return nil }
            let cloneFn = ev.lookup("clone", env)
            guard case .function = cloneFn else { throw JSONataError(code: "T2013", position: expr.position) }
            let result = try ev.apply(cloneFn, [obj], nil, env)
            if let matches = try ev.evaluate(expr.pattern!, result, env) {
                for match in matches.asList {
                    if let update = try ev.evaluate(expr.update!, match, env) {
                        guard update.isObject else {
                            throw JSONataError(code: "T2011", position: expr.update!.position, value: update.errorJSON)
                        }
                        if case .object(let mo) = match {
                            for (k, v) in update.entries { mo[k] = v }
                        }
                    }
                    if let del = expr.delete, let deletions = try ev.evaluate(del, match, env) {
                        let list = deletions.asList
                        guard list.allSatisfy({ $0.string != nil }) else {
                            throw JSONataError(code: "T2012", position: del.position, value: deletions.errorJSON)
                        }
                        if case .object(let mo) = match {
                            for d in list { mo[d.string!] = nil }
                        }
                    }
                }
            }
            return result
        }), signature: sig)
    }

    /// Deep copy into mutable objects (the `$clone` used by transforms).
    static func deepClone(_ v: Value) -> Value {
        switch v {
        case .array(let a):
            let r = ArrayRef(a.items.map { deepClone($0) })
            r.sequence = a.sequence
            r.keepSingleton = a.keepSingleton
            r.cons = a.cons
            return .array(r)
        case .object(let o):
            let r = ObjRef()
            r.keys = o.keys
            r.values = o.values.map { deepClone($0) }
            return .object(r)
        case .jobject(let o):
            let r = ObjRef()
            r.keys = Array(o.keys)
            r.values = o.values.map { deepClone(Value($0)) }
            return .object(r)
        default: return v
        }
    }
}

/// An evaluator kept between evaluations that share an environment: evaluating record after record
/// then allocates no evaluator and no root scope. An evaluator is used by one evaluation at a time:
/// `take` hands it out, `give` puts it back; evaluations that overlap make their own.
final class EvaluatorCache: Sendable {
    /// An evaluator owned by the cache, or by the one evaluation that took it.
    private struct Idle: @unchecked Sendable {
        let evaluator: Evaluator
    }

    private let idle = Mutex<Idle?>(nil)

    /// The idle evaluator if it was made for these limits, or nil.
    func take(maxDepth: Int, stackLimit: Int, timeLimit: Duration?) -> Evaluator? {
        let found = idle.withLock { idle -> Idle? in
            guard let evaluator = idle?.evaluator, evaluator.maxDepth == maxDepth, evaluator.stackLimit == stackLimit,
                  evaluator.timeLimit == timeLimit
            else { return nil }
            defer { idle = nil }
            return idle
        }
        return found?.evaluator
    }

    func give(_ evaluator: Evaluator) {
        evaluator.reset()
        let entry = Idle(evaluator: evaluator)
        idle.withLock { $0 = entry }
    }
}
