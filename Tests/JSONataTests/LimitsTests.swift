import FlowJSON
import JSONata
import Testing

/// Runaway expressions stop with an error instead of exhausting the stack or looping forever.
struct LimitsTests {
    @Test func deepRecursionStopsWithU1001() throws {
        let e = try JSONataExpression("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1000000))")
        #expect(throws: JSONataError.self) { try e.evaluate(nil) }
        do {
            _ = try e.evaluate(nil)
        } catch {
            #expect(error.code == "U1001")
        }
    }

    @Test func deepButBoundedRecursionCompletesOnALargerStack() throws {
        // needs far more than the 256 KB budget: it is re-run on a dedicated deep-stack thread
        let e = try JSONataExpression("($f := function($n){$n = 0 ? 0 : 1 + $f($n - 1)}; $f(1500))")
        #expect(try e.evaluate(nil) == 1500)
        let noRetry = JSONataLimits(deepStackBytes: 0)
        #expect(throws: JSONataError.self) { try e.evaluate(nil, limits: noRetry) }
    }

    @Test func infiniteTailRecursionStopsOnTimeLimit() throws {
        let e = try JSONataExpression("($f := function(){$f()}; $f())")
        do {
            _ = try e.evaluate(nil, limits: JSONataLimits(timeLimitMilliseconds: 200))
            Issue.record("expected U1001")
        } catch {
            #expect(error.code == "U1001")
        }
    }

    @Test func catastrophicRegexStopsOnTimeLimit() throws {
        let e = try JSONataExpression("$match($, /(a+)+b/)")
        let input = JSON.string(String(repeating: "a", count: 40) + "c")
        do {
            _ = try e.evaluate(input, limits: JSONataLimits(timeLimitMilliseconds: 300))
            Issue.record("expected U1001")
        } catch {
            #expect(error.code == "U1001")
        }
    }

    @Test func deeplyNestedSourceIsRejected() {
        let source = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(throws: JSONataError.self) { try JSONataExpression(source) }
    }

    @Test func concurrentEvaluationOfRichExpressions() async throws {
        let sources = [
            "$replace(name, /(\\w+) (\\w+)/, '$2, $1')",
            "($f := function($n){$n <= 1 ? $n : $f($n-1) + $f($n-2)}; $f(12))",
            "items[price > 2]{category: $sum(price)}",
            "$ ~> |items|{'price': price * 2}|",
            "items.{'n': $uppercase(category), 'i': %.name}",
            "items^(>price).category",
            "$map(items, function($v, $i){$i & ':' & $v.category}) ~> $join(',')",
            "$fromMillis(1700000000000, '[Y0001]-[M01]-[D01] [H01]:[m01]')",
        ]
        let exprs = try sources.map { try JSONataExpression($0) }
        let doc: JSON = [
            "name": "Ada Lovelace",
            "items": [["price": 1, "category": "a"], ["price": 3, "category": "b"], ["price": 5, "category": "a"]],
        ]
        let expected = try exprs.map { try $0.evaluate(doc) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask {
                    var bad = 0
                    for (i, e) in exprs.enumerated() where (try? e.evaluate(doc)) != expected[i] {
                        bad += 1
                    }
                    return bad
                }
            }
            var total = 0
            for await b in group { total += b }
            return total
        }
        #expect(mismatches == 0)
        #expect(expected.allSatisfy { $0 != nil })
    }

    @Test func concurrentEvaluationSharesOneExpression() async throws {
        let e = try JSONataExpression("$round(price * (1 - discount/100), 2)")
        let results = await withTaskGroup(of: JSON?.self) { group in
            for i in 0..<64 {
                group.addTask {
                    let record: JSON = ["price": .int(100 + i), "discount": 10]
                    return try? e.evaluate(record)
                }
            }
            var out: [JSON?] = []
            for await r in group { out.append(r) }
            return out
        }
        #expect(results.count == 64)
        #expect(results.allSatisfy { $0 != nil })
    }

    @Test func errorDescriptionCarriesCodeAndPosition() throws {
        do {
            _ = try JSONataExpression(#""a" + 1"#).evaluate(nil)
            Issue.record("expected T2001")
        } catch {
            #expect(error.code == "T2001")
            #expect(error.token == "+")
            #expect(error.description.hasPrefix("T2001: The left side of the \"+\" operator must evaluate to a number"))
        }
    }

    @Test func undefinedAndNullAreDistinct() throws {
        #expect(try JSONataExpression("missing").evaluate(["a": 1]) == nil)
        #expect(try JSONataExpression("a").evaluate(["a": nil]) == .null)
    }
}

/// Hostile arguments to the standard library produce errors or values, never traps.
struct RobustnessTests {
    @Test(arguments: [
        "$pad('x', 1e18)", "$substring('abc', 1e300, -1e300)", "$fromMillis(1e300)", "$fromMillis(0, '[Y]', '99999999999')",
        "$formatNumber(1, '0', {'zero-digit': '', 'decimal-separator': ''})", "$formatBase(1e300, 2)",
        "[1..1e300]", "$round(1.5, 400)", "$parseInteger('abc', '#,##0')", "$formatInteger(1e300, 'w')",
        "$split('abc', '', 1e300)", "[1,2,3][1e300]", "$power(10, 1000)", "$string(1/0)",
    ])
    func noTrap(_ source: String) {
        _ = try? JSONataExpression(source).evaluate(nil)
    }
}
