import FlowJSON
import JSONata
import Testing

/// The public API: compiling, bindings, environments and result conversion.
struct JSONataExpressionTests {
    let record: JSON = [
        "title": "Mascara", "price": 9.99, "discountPercentage": 7.17, "stock": 5,
        "availabilityStatus": "In Stock", "tags": ["beauty"],
    ]

    @Test func computedFields() throws {
        #expect(try JSONataExpression("$round(price * (1 - discountPercentage/100), 2)").evaluate(record) == 9.27)
        #expect(try JSONataExpression("$uppercase(title)").evaluate(record) == "MASCARA")
        #expect(try JSONataExpression(#"stock > 0 and availabilityStatus = "In Stock""#).evaluate(record) == true)
    }

    @Test func bindingsAndEnvironment() throws {
        let e = try JSONataExpression("price * $rate")
        #expect(try e.evaluate(record, bindings: ["rate": 2]) == 19.98)
        let env = JSONataEnvironment(["rate": 10])
        #expect(try e.evaluate(record, environment: env) == 99.9)
        #expect(try JSONataExpression("$string($missing)").evaluate(record, environment: env) == nil)
    }

    @Test func aBindingHidesTheLibraryFunctionOfItsName() throws {
        let e = try JSONataExpression("$string")
        #expect(try e.evaluate(nil, environment: JSONataEnvironment(["string": 5])) == 5)
        #expect(try e.evaluate(nil, environment: JSONataEnvironment(["other": 5])) == nil)  // a function: no JSON value
        #expect(try JSONataExpression("$round(2.567, 1)").evaluate(nil, environment: JSONataEnvironment(["other": 5])) == 2.6)
    }

    @Test func integralResultsAreIntegers() throws {
        let r = try JSONataExpression("stock * 2").evaluate(record)
        #expect(r == .int(10))
        if case .int = r {} else { Issue.record("expected .int, got \(String(describing: r))") }
    }

    @Test func arraysAndSingletons() throws {
        #expect(try JSONataExpression("tags").evaluate(record) == ["beauty"])
        #expect(try JSONataExpression("tags[0]").evaluate(record) == "beauty")
        #expect(try JSONataExpression("$").evaluate([1, 2]) == [1, 2])
        #expect(try JSONataExpression("[]").evaluate(nil) == [])
    }

    @Test func syntaxErrorsCarryCodeAndPosition() {
        do {
            _ = try JSONataExpression("price +")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.code == "S0207")
            #expect(error.position == 7)
        }
    }

    @Test func functionResultsAreUndefined() throws {
        #expect(try JSONataExpression("function($x){$x}").evaluate(nil) == nil)
        #expect(try JSONataExpression("{'a': 1, 'f': $uppercase}").evaluate(nil) == ["a": 1])
    }
}
