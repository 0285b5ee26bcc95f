import FlowJSON

/// A compiled form of the small expressions that filters and computed fields mostly are: field
/// names, number, string and boolean literals, arithmetic, comparisons, `and`, `or`, `&`, `? :`,
/// parentheses, and `$round`, `$abs`, `$floor`, `$ceil`. Evaluated straight on an object's members, without the
/// general evaluator (no evaluator, scope or `Value` per evaluation).
///
/// It only answers where the answer is plain: every operand a number, a string, a boolean or null
/// of the type the operation takes. On anything else (a field holding an array or object, a field
/// that is missing where undefined has subtle rules, mixed types, a result out of range) it gives
/// up and the general evaluator runs, so results and errors are always the evaluator's.
indirect enum ScalarPlan: Sendable {
    case field(String)
    case number(Double)
    case string(String)
    case bool(Bool)
    case null
    case arithmetic(Node.BinOp, ScalarPlan, ScalarPlan)
    case equal(negated: Bool, ScalarPlan, ScalarPlan)
    case order(Node.BinOp, ScalarPlan, ScalarPlan)
    case and(ScalarPlan, ScalarPlan)
    case or(ScalarPlan, ScalarPlan)
    case concat(ScalarPlan, ScalarPlan)
    case condition(ScalarPlan, ScalarPlan, ScalarPlan?)
    case function(Function, [ScalarPlan])
    /// Parentheses: the expressions in order, yielding the last one's value.
    case block([ScalarPlan])

    enum Function: Sendable { case round, abs, floor, ceil }

    /// A result: undefined or a scalar.
    enum Result: Equatable {
        case undefined, null
        case number(Double)
        case string(String)
        case bool(Bool)

        /// The result as the evaluator returns it (numbers as `Value.toJSON` writes them).
        var json: JSON? {
            switch self {
            case .undefined: return nil
            case .null: return .null
            case .number(let d): return Value.jsonNumber(d)
            case .string(let s): return .string(s)
            case .bool(let b): return .bool(b)
            }
        }
    }

    /// The plan for `node`, or nil when it uses anything outside the subset.
    init?(_ node: Node) {
        // Predicates, grouping, array constructors, focus and the like change what a node yields.
        guard node.predicate == nil, node.group == nil, node.stages == nil, !node.keepArray, !node.keepSingletonArray,
              node.focus == nil, node.indexVar == nil, !node.tuple, !node.consarray
        else { return nil }
        switch node.kind {
        case .path:
            guard node.simpleName else { return nil }
            self = .field(node.steps[0].value)
        case .number: self = .number(node.num)
        case .string: self = .string(node.value)
        case .value:
            switch node.value {
            case "true": self = .bool(true)
            case "false": self = .bool(false)
            case "null": self = .null
            default: return nil
            }
        case .binary:
            guard let lhs = node.lhs.flatMap(ScalarPlan.init), let rhs = node.rhs.flatMap(ScalarPlan.init) else { return nil }
            switch node.op {
            case .add, .sub, .mul, .div, .mod: self = .arithmetic(node.op, lhs, rhs)
            case .eq: self = .equal(negated: false, lhs, rhs)
            case .ne: self = .equal(negated: true, lhs, rhs)
            case .lt, .le, .gt, .ge: self = .order(node.op, lhs, rhs)
            case .and: self = .and(lhs, rhs)
            case .or: self = .or(lhs, rhs)
            case .concat: self = .concat(lhs, rhs)
            default: return nil
            }
        case .condition:
            guard let condition = node.condition.flatMap(ScalarPlan.init), let then = node.then.flatMap(ScalarPlan.init)
            else { return nil }
            var otherwise: ScalarPlan?
            if let node = node.otherwise {
                guard let plan = ScalarPlan(node) else { return nil }
                otherwise = plan
            }
            self = .condition(condition, then, otherwise)
        case .block:
            var expressions: [ScalarPlan] = []
            for expression in node.expressions {
                guard let plan = ScalarPlan(expression) else { return nil }
                expressions.append(plan)
            }
            self = .block(expressions)
        case .function:
            guard let procedure = node.procedure, procedure.kind == .variable, procedure.cachedFunction != nil,
                  procedure.predicate == nil, procedure.group == nil
            else { return nil }
            let function: Function
            switch (procedure.value, node.arguments.count) {
            case ("round", 1), ("round", 2): function = .round
            case ("abs", 1): function = .abs
            case ("floor", 1): function = .floor
            case ("ceil", 1): function = .ceil
            default: return nil
            }
            var arguments: [ScalarPlan] = []
            for argument in node.arguments {
                guard let plan = ScalarPlan(argument) else { return nil }
                arguments.append(plan)
            }
            self = .function(function, arguments)
        default:
            return nil
        }
    }

    /// The result against `object`, or nil to leave the evaluation to the general evaluator.
    func evaluate(_ object: JSONObject) -> Result? {
        switch self {
        case .field(let name):
            switch object[name] {
            case nil: return .undefined
            case .null?: return .null
            case .bool(let b)?: return .bool(b)
            case .int(let i)?: return .number(Double(i))
            case .double(let d)?: return .number(d)
            case .string(let s)?: return .string(s)
            case .array?, .object?: return nil
            }
        case .number(let d): return .number(d)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        case .arithmetic(let op, let lhs, let rhs):
            guard case .number(let l)? = lhs.evaluate(object), case .number(let r)? = rhs.evaluate(object) else { return nil }
            let result = Evaluator.arithmetic(op, l, r)
            // Out of range is an error the evaluator reports.
            return result.isFinite ? .number(result) : nil
        case .equal(let negated, let lhs, let rhs):
            guard let l = lhs.evaluate(object), let r = rhs.evaluate(object) else { return nil }
            // Undefined on either side is false, for `=` and `!=` alike; values of different
            // types are unequal.
            if l == .undefined || r == .undefined { return .bool(false) }
            return .bool((l == r) != negated)
        case .order(let op, let lhs, let rhs):
            guard case .number(let a)? = lhs.evaluate(object), case .number(let b)? = rhs.evaluate(object) else { return nil }
            return .bool(Evaluator.order(op, a, b))
        case .and(let lhs, let rhs):
            guard case .bool(let l)? = lhs.evaluate(object) else { return nil }
            guard l else { return .bool(false) }
            guard case .bool(let r)? = rhs.evaluate(object) else { return nil }
            return .bool(r)
        case .or(let lhs, let rhs):
            guard case .bool(let l)? = lhs.evaluate(object) else { return nil }
            if l { return .bool(true) }
            guard case .bool(let r)? = rhs.evaluate(object) else { return nil }
            return .bool(r)
        case .concat(let lhs, let rhs):
            guard let l = lhs.evaluate(object), let r = rhs.evaluate(object) else { return nil }
            func text(_ result: Result) -> String? {
                switch result {
                case .undefined: return ""
                case .string(let s): return s
                default: return nil  // numbers and the rest go through $string's formatting
                }
            }
            guard let a = text(l), let b = text(r) else { return nil }
            return .string(a + b)
        case .condition(let condition, let then, let otherwise):
            guard case .bool(let c)? = condition.evaluate(object) else { return nil }
            if c { return then.evaluate(object) }
            return otherwise.map { $0.evaluate(object) } ?? .undefined
        case .block(let expressions):
            var result = Result.undefined
            for expression in expressions {
                guard let value = expression.evaluate(object) else { return nil }
                result = value
            }
            return result
        case .function(let function, let arguments):
            // One or two numbers (the plan is made for those counts only), kept in locals: an array
            // would be allocated at every evaluation.
            // An undefined argument may be replaced by the context; leave it to the evaluator.
            guard case .number(let first)? = arguments[0].evaluate(object) else { return nil }
            var second = 0.0
            if arguments.count > 1 {
                guard case .number(let n)? = arguments[1].evaluate(object) else { return nil }
                second = n
            }
            switch function {
            case .round: return .number(Builtins.round(first, second.clampedInt))
            case .abs: return .number(Swift.abs(first))
            case .floor: return .number(Builtins.fixZero(first.rounded(.down)))
            case .ceil: return .number(Builtins.fixZero(first.rounded(.up)))
            }
        }
    }
}
