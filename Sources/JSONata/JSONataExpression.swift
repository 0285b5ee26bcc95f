import FlowJSON
import Foundation

/// Limits that stop runaway evaluation with error `U1001`.
public struct JSONataLimits: Sendable {
    /// Maximum nesting of evaluation steps (jsonata-js's depth counter).
    public var maxDepth: Int
    /// Maximum native stack, in bytes, that one evaluation may use below its entry point.
    public var maxStackBytes: Int
    /// Wall-clock budget per evaluation, in milliseconds; nil for none.
    public var timeLimitMilliseconds: Int?
    /// When an evaluation runs out of `maxStackBytes` (deep, non-tail recursion), it is run again on a
    /// dedicated thread with this much stack; 0 disables the retry. The calling thread waits for it.
    public var deepStackBytes: Int

    public init(
        maxDepth: Int = 10_000, maxStackBytes: Int = 256 * 1024, timeLimitMilliseconds: Int? = 10_000,
        deepStackBytes: Int = 256 * 1024 * 1024
    ) {
        self.maxDepth = maxDepth
        self.maxStackBytes = maxStackBytes
        self.timeLimitMilliseconds = timeLimitMilliseconds
        self.deepStackBytes = deepStackBytes
    }

    /// Conservative defaults, safe on a Swift concurrency thread (about 512 KB of stack).
    public static let `default` = JSONataLimits()
}

/// Variable bindings built once and shared by many evaluations (`$name` lookups fall back to them).
public struct JSONataEnvironment: Sendable {
    let values: [String: JSON]
    /// Whether a binding has the name of a library function (and so hides it).
    let shadowsBuiltins: Bool

    /// Evaluators (with their root scopes) given back by finished evaluations, for the next ones.
    let evaluators = EvaluatorCache()

    public init(_ bindings: [String: JSON] = [:]) {
        values = bindings
        shadowsBuiltins = bindings.keys.contains { Builtins.table[$0] != nil }
    }

    public static let empty = JSONataEnvironment()
}

/// A compiled JSONata expression. Immutable and `Sendable`: compile once, evaluate from many tasks.
public struct JSONataExpression: Sendable {
    let root: Node
    /// The expression text.
    public let source: String

    /// The expression as a `ScalarPlan`, when it is one of the small ones that can be.
    let scalar: ScalarPlan?

    public init(_ source: String) throws(JSONataError) {
        self.source = source
        root = try Parser.parse(source)
        scalar = ScalarPlan(root)
    }

    /// Evaluates against `input` (nil is *undefined*, distinct from `.null`); a nil result is undefined.
    public func evaluate(_ input: JSON?, bindings: [String: JSON] = [:], limits: JSONataLimits = .default)
        throws(JSONataError) -> JSON?
    {
        try evaluate(input, environment: JSONataEnvironment(bindings), limits: limits)
    }

    /// Evaluates with a pre-built environment: the cheap form for evaluating many records.
    public func evaluate(_ input: JSON?, environment: JSONataEnvironment, limits: JSONataLimits = .default)
        throws(JSONataError) -> JSON?
    {
        // Plain expressions over an object's fields take the short way (unless a binding hides a
        // library function it calls); anything it cannot answer plainly comes back to the evaluator.
        if let scalar, !environment.shadowsBuiltins, case .object(let object)? = input,
           let result = scalar.evaluate(object)
        {
            return result.json
        }
        let timeLimit = limits.timeLimitMilliseconds.map { Duration.milliseconds($0) }
        let ev = environment.evaluators.take(maxDepth: limits.maxDepth, stackLimit: limits.maxStackBytes, timeLimit: timeLimit)
            ?? Evaluator(
                globals: environment.values, globalsShadowBuiltins: environment.shadowsBuiltins,
                maxDepth: limits.maxDepth, stackLimit: limits.maxStackBytes, timeLimit: timeLimit)
        defer { environment.evaluators.give(ev) }
        do throws(JSONataError) {
            return try run(ev, input)
        } catch {
            guard ev.stackExhausted, limits.deepStackBytes > limits.maxStackBytes else { throw error }
            return try evaluateOnDeepStack(input, environment: environment, limits: limits)
        }
    }

    /// Re-runs an evaluation that needs more native stack on a thread that has it.
    func evaluateOnDeepStack(_ input: JSON?, environment: JSONataEnvironment, limits: JSONataLimits)
        throws(JSONataError) -> JSON?
    {
        final class Outcome: @unchecked Sendable {
            // written by the worker thread before it signals, read by the caller after the wait
            var result: Result<JSON?, JSONataError> = .success(nil)
        }
        let outcome = Outcome()
        let done = DispatchSemaphore(value: 0)
        let expression = self
        let thread = Thread {
            let ev = Evaluator(
                globals: environment.values, globalsShadowBuiltins: environment.shadowsBuiltins,
                maxDepth: limits.maxDepth,
                stackLimit: limits.deepStackBytes - 1024 * 1024,
                timeLimit: limits.timeLimitMilliseconds.map { .milliseconds($0) })
            do throws(JSONataError) {
                outcome.result = .success(try expression.run(ev, input))
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        thread.stackSize = limits.deepStackBytes
        thread.start()
        done.wait()
        return try outcome.result.get()
    }

    func run(_ ev: Evaluator, _ input: JSON?) throws(JSONataError) -> JSON? {
        ev.stackBase = ev.stackAddress()
        var value: Value? = input.map { Value($0) }
        if case .array(let a)? = value {
            let wrapper = ArrayRef(sequence: [.array(a)])
            wrapper.outerWrapper = true
            value = .array(wrapper)
        }
        ev.rootInput = value
        let result = try ev.evaluate(root, value, ev.rootFrame())
        guard let result else { return nil }
        if case .array(let a) = result, a.sequence, a.items.isEmpty { return nil }
        return result.toJSON()
    }

    /// Marks single-name paths so the evaluator can read the field directly.
    static func markFastPaths(_ node: Node) {
        var seen = Set<ObjectIdentifier>()
        func visit(_ n: Node?) {
            guard let n, seen.insert(ObjectIdentifier(n)).inserted else { return }
            if n.kind == .binary {
                let ops: [String: Node.BinOp] = [
                    "and": .and, "or": .or, "??": .coalesce, "?:": .elvis, "+": .add, "-": .sub, "*": .mul, "/": .div,
                    "%": .mod, "=": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge, "&": .concat, "..": .range,
                    "in": .inOp,
                ]
                n.op = ops[n.value] ?? .none
            }
            if n.kind == .variable, let b = Builtins.table[n.value] {
                n.cachedFunction = FunctionRef(.builtin(b), signature: b.signature)
            }
            if n.kind == .path && n.steps.count == 1 {
                let s = n.steps[0]
                if s.kind == .name && s.stages == nil && s.predicate == nil && s.group == nil && !s.tuple
                    && s.focus == nil && s.indexVar == nil && !s.keepArray && !n.keepSingletonArray && n.group == nil
                    && !n.tuple && n.predicate == nil && !n.keepArray
                {
                    n.simpleName = true
                }
            }
            for c in [n.lhs, n.rhs, n.expression, n.condition, n.then, n.otherwise, n.procedure, n.body, n.pattern, n.update, n.delete] {
                visit(c)
            }
            n.expressions.forEach(visit)
            n.steps.forEach(visit)
            n.arguments.forEach(visit)
            n.stages?.forEach(visit)
            n.predicate?.forEach(visit)
            for (k, v) in n.pairs {
                visit(k)
                visit(v)
            }
            for (k, v) in n.group?.pairs ?? [] {
                visit(k)
                visit(v)
            }
            for t in n.terms { visit(t.expr) }
        }
        visit(node)
    }
}
