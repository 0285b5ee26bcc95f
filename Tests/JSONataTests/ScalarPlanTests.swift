import FlowJSON
import Testing

@testable import JSONata

/// `ScalarPlan` (the short way for plain expressions) answers exactly what the evaluator answers,
/// or leaves the answer to it.
@Suite struct ScalarPlanTests {
    /// Values a field can hold, including the ones the plan must leave to the evaluator.
    static let values: [JSON?] = [
        nil, .null, .bool(true), .bool(false), .int(0), .int(3), .int(-7), .int(9_007_199_254_740_993), .double(2.5),
        .double(-0.125), .double(1e308), .double(0.1), .string(""), .string("In Stock"), .string("7"), .string("é"),
        .array([.int(1)]), .array([]), .object(JSONObject([("x", .int(1))])),
    ]

    /// A random expression over fields `a`, `b` and `s`, `depth` levels deep.
    static func expression(_ depth: Int, _ random: inout some RandomNumberGenerator) -> String {
        let leaves = ["a", "b", "s", "missing", "1", "0", "2.5", "-3", "100", "\"In Stock\"", "\"\"", "true", "false", "null",
                      "1e308"]
        guard depth > 0, Int.random(in: 0..<4, using: &random) != 0 else { return leaves.randomElement(using: &random)! }
        let l = expression(depth - 1, &random)
        let r = expression(depth - 1, &random)
        switch Int.random(in: 0..<9, using: &random) {
        case 0: return "(\(l) \(["+", "-", "*", "/", "%"].randomElement(using: &random)!) \(r))"
        case 1: return "\(l) \(["=", "!="].randomElement(using: &random)!) \(r)"
        case 2: return "(\(l) \(["<", "<=", ">", ">="].randomElement(using: &random)!) \(r))"
        case 3: return "(\(l) \(["and", "or"].randomElement(using: &random)!) \(r))"
        case 4: return "(\(l) & \(r))"
        case 5: return "(\(l) ? \(r) : \(expression(depth - 1, &random)))"
        case 6: return "(\(l) ? \(r))"
        case 7: return "$round(\(l)\(Bool.random(using: &random) ? ", \(["0", "2", "-1", "b"].randomElement(using: &random)!)" : ""))"
        default: return "$\(["abs", "floor", "ceil"].randomElement(using: &random)!)(\(l))"
        }
    }

    @Test func answersAsTheEvaluatorDoesOrNotAtAll() throws {
        var random = SystemRandomNumberGenerator()
        // A binding named like a library function keeps the evaluator from taking the short way.
        let evaluatorOnly = JSONataEnvironment(["substringAfter": .null])
        var answered = 0
        var compared = 0
        for _ in 0..<3_000 {
            let text = Self.expression(3, &random)
            let expression = try JSONataExpression(text)
            guard let plan = expression.scalar else { continue }
            for _ in 0..<8 {
                var object = JSONObject()
                for name in ["a", "b", "s"] {
                    if let value = Self.values.randomElement(using: &random)! { object[name] = value }
                }
                compared += 1
                guard let result = plan.evaluate(object) else { continue }
                answered += 1
                let expected: JSON?
                do {
                    expected = try expression.evaluate(.object(object), environment: evaluatorOnly)
                } catch {
                    Issue.record("\(text) on \(object): the plan answered \(result), the evaluator failed: \(error)")
                    continue
                }
                #expect(result.json == expected, "\(text) on \(object)")
            }
        }
        // The short way must actually be taken for the common shapes.
        #expect(answered > compared / 10, "answered \(answered) of \(compared)")
    }

    @Test func theProductsExpressionsArePlans() throws {
        for text in [#"status = "In Stock""#, "$round(price * (1 - discount / 100), 2)", "stock > 0 and price < 100"] {
            #expect(try JSONataExpression(text).scalar != nil, "\(text)")
        }
        for text in ["$", "items[0]", "a.b", "$string(a)", "-a", "$x", "a[b > 1]", "{ 'k': a }", "[a]"] {
            #expect(try JSONataExpression(text).scalar == nil, "\(text)")
        }
    }

    @Test func aBindingThatHidesALibraryFunctionIsHonoured() throws {
        let expression = try JSONataExpression("$round(a)")
        let input = JSON.object(JSONObject([("a", .double(2.7))]))
        #expect(try expression.evaluate(input) == .int(3))
        // `round` bound to a value: calling it is an error, as without the short way.
        #expect(throws: (any Error).self) { try expression.evaluate(input, environment: JSONataEnvironment(["round": .int(1)])) }
    }
}
