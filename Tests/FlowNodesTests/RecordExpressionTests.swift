import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

@Suite struct RecordExpressionTests {
    @Test(arguments: [
        ("customer", ["customer"]), (" order.id ", ["order", "id"]), ("_a1.b_2", ["_a1", "b_2"]),
    ])
    func plainFieldPathsTakeTheFastPath(source: String, path: [String]) {
        #expect(RecordExpression.fieldPath(source) == path)
    }

    @Test(arguments: ["true", "null", "a.", ".a", "a[0]", "$x", "a + b", "`a b`", "1a", "a.and", ""])
    func anythingElseGoesToTheEvaluator(source: String) {
        #expect(RecordExpression.fieldPath(source) == nil)
    }

    /// The fast path and the evaluator agree: objects are looked up, everything else is evaluated.
    @Test func fastPathResultsMatchTheEvaluator() throws {
        let language = PathExpressionLanguage()
        let records: [JSON] = [
            ["a": ["b": 1]], ["a": ["b": ["c": "x"]]], ["a": ["c": 1]], ["a": 5], ["a": [["b": 1], ["b": 2]]],
            ["a": ["b": [1, 2]]], [:], "text",
        ]
        let compiled = try language.compile("a.b")
        let fast = RecordExpression(compiled, source: "a.b", bindings: ExpressionBindings())
        let slow = compiled.bound(to: ExpressionBindings())
        for record in records {
            #expect(try fast.evaluate(record) == slow.evaluate(record), "\(record.serialized())")
        }
    }
}
