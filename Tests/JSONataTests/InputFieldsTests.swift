import FlowJSON
import Foundation
import Testing

@testable import JSONata

/// `JSONataExpression.inputFields`: which top-level fields of an object input an expression can
/// depend on, and when it cannot say.
struct InputFieldsTests {
    @Test(arguments: [
        ("price", ["price"]),
        (#"availabilityStatus = "In Stock" and stock > 0"#, ["availabilityStatus", "stock"]),
        ("$round(price * (1 - discountPercentage / 100), 2)", ["price", "discountPercentage"]),
        ("$uppercase(title)", ["title"]),
        ("title ~> $uppercase()", ["title"]),
        ("dimensions.width * dimensions.height", ["dimensions"]),
        // Later steps, predicates and functions applied there work on the field's value.
        ("reviews[rating > 3].comment", ["reviews"]),
        ("reviews.$uppercase(comment)", ["reviews"]),
        ("tags[$ = 'x']", ["tags"]),
        ("dimensions.*", ["dimensions"]),
        ("meta.**.barcode", ["meta"]),
        ("reviews^(rating).comment", ["reviews"]),
        ("reviews{reviewerName: rating}", ["reviews"]),
        ("`with space` & 'x'", ["with space"]),
        ("{ 'a': price, 'b': [stock, 1] }", ["price", "stock"]),
        ("stock > 0 ? 'yes' : missing", ["stock", "missing"]),
        ("($x := price; $y := $x * 2; $y + stock)", ["price", "stock"]),
        ("$params.currency & $env.HOME", []),
        ("42", []),
        ("$now()", []),
        ("$count(tags) + $sum(reviews.rating)", ["tags", "reviews"]),
        // Functions that take an omitted first argument from the context, given it explicitly.
        ("$string(dimensions)", ["dimensions"]),
        ("dimensions ~> $string()", ["dimensions"]),
        ("$string(price, true)", ["price"]),
        ("$lookup(dimensions, 'width')", ["dimensions"]),
        ("$boolean(price) and $not(stock)", ["price", "stock"]),
        // A lambda's body sees the context it was defined in.
        ("$map(tags, function($t) { $t & sku })", ["tags", "sku"]),
        ("$map(tags, function($t) { $uppercase($t) })", ["tags"]),
    ] as [(String, [String])])
    func boundedExpressions(_ source: String, _ fields: [String]) throws {
        let expression = try JSONataExpression(source)
        #expect(expression.inputFields == Set(fields), "\(source)")
    }

    @Test(arguments: [
        "$",
        "$.price",
        "$$.price",
        "reviews.($$.price)",
        "*",
        "**.price",
        "$keys()",
        "$string()",
        "$keys($)",
        "$lookup('price')",
        "$boolean()",
        "$count($)",
        "$each(function($v, $k) { $k })",
        "$sift(function($v) { $v })",
        "$map(tags, $string)",
        "($f := $string; $f(price))",
        "$substring(?, 1)",
        "$eval('price')",
        "reviews.%.price",
        "reviews@$r.comment",
        "reviews#$i.comment",
        "$ ~> | $ | {'x': 1} |",
        "(function($x)<x-:s>{ $x })()",
    ])
    func unboundedExpressions(_ source: String) throws {
        let expression = try JSONataExpression(source)
        #expect(expression.inputFields == nil, "\(source)")
    }

    /// The promise itself: evaluating against only the named fields gives the same result.
    @Test(arguments: [
        #"availabilityStatus = "In Stock" and stock > 0"#,
        "$round(price * (1 - discountPercentage / 100), 2)",
        "title ~> $uppercase()",
        "reviews[rating > 3].comment",
        "$map(tags, function($t) { $t & sku })",
        "{ 'a': price, 'b': [stock, 1], 'c': dimensions.* }",
        "missing ? 1 : 2",
        "$string(dimensions)",
    ])
    func projectedInputGivesTheSameResult(_ source: String) throws {
        let record = try JSONParser.parse(#"""
            {"id": 1, "title": "Sink", "price": 17.5, "discountPercentage": 15.34, "stock": 78, "sku": "S1",
             "tags": ["a", "b"], "availabilityStatus": "In Stock", "dimensions": {"width": 2, "height": 3},
             "reviews": [{"rating": 5, "comment": "good"}, {"rating": 1, "comment": "bad"}]}
            """#)
        let expression = try JSONataExpression(source)
        let fields = try #require(expression.inputFields)
        var projected = JSONObject()
        for (key, value) in record.objectValue! where fields.contains(key) { projected[key] = value }
        #expect(try expression.evaluate(.object(projected)) == expression.evaluate(record), "\(source)")
    }

    /// Every case of the conformance suite with an object input and a bounded expression gives the
    /// same result (or error code) on only the fields the analysis names.
    @Test func suiteCasesGiveTheSameResultOnTheirFields() async throws {
        // Seconds of evaluation: on a thread of its own, not one of the few that run async tests.
        let (compared, mismatches) = try await withCheckedThrowingContinuation {
            (done: CheckedContinuation<(Int, [String]), any Error>) in
            let thread = Thread {
                do {
                    done.resume(returning: try Self.compareSuiteCases())
                } catch {
                    done.resume(throwing: error)
                }
            }
            thread.stackSize = 64 * 1024 * 1024
            thread.start()
        }
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        // Most of the suite's expressions read named fields.
        #expect(compared > 500, "\(compared)")
    }

    /// Compares the cases; returns how many were compared and the ones that differ.
    static func compareSuiteCases() throws -> (Int, [String]) {
        let suite = try ConformanceTests.loadSuite()
        let datasets = suite["datasets"]?.objectValue ?? JSONObject()
        var compared = 0
        var mismatches: [String] = []
        for c in suite["cases"]?.arrayValue ?? [] {
            guard let source = c["expr"]?.stringValue, c["depth"] == nil, c["timelimit"] == nil,
                  !["$now", "$millis", "$random", "$shuffle"].contains(where: source.contains) else { continue }
            var input = c["data"]
            if input == nil, let name = c["dataset"]?.stringValue { input = datasets[name] }
            guard case .object(let object)? = input,
                  let expression = try? JSONataExpression(source), let fields = expression.inputFields else { continue }
            var bindings: [String: JSON] = [:]
            for (key, value) in c["bindings"]?.objectValue ?? [:] { bindings[key] = value }
            var projected = JSONObject()
            for (key, value) in object where fields.contains(key) { projected[key] = value }
            func outcome(_ input: JSON) -> String {
                do throws(JSONataError) {
                    return try expression.evaluate(input, bindings: bindings).map { $0.serialized() } ?? "undefined"
                } catch {
                    return "error \(error.code)"
                }
            }
            let (partial, whole) = (outcome(.object(projected)), outcome(.object(object)))
            if partial != whole { mismatches.append("\(c["name"]?.stringValue ?? ""): \(source): \(partial) != \(whole)") }
            compared += 1
        }
        return (compared, mismatches)
    }
}
