import FlowJSON
import Foundation
import Testing

@testable import JSONPath

/// One case of the JSONPath Compliance Test Suite (Resources/cts/cts.json).
struct ComplianceCase: Sendable, CustomTestStringConvertible {
    var name: String
    var selector: String
    var document: JSON
    /// Acceptable results: one for `result`, several for `results` (object member order may vary).
    var results: [[JSON]]
    var resultPaths: [[String]]
    var isInvalid: Bool

    var testDescription: String { name }

    /// nil when the implementation agrees with the case, else what went wrong.
    func failure() -> String? {
        let query: JSONPathQuery
        do {
            query = try JSONPathQuery(selector)
        } catch {
            return isInvalid ? nil : "selector \(selector) failed to parse: \(error)"
        }
        if isInvalid { return "selector \(selector) should be rejected" }
        let values = query.select(document)
        let located = query.selectLocated(document)
        let paths = located.map { $0.path.description }
        guard located.map(\.value) == values else { return "select and selectLocated disagree" }
        for (i, expected) in results.enumerated() where values == expected {
            if i < resultPaths.count, resultPaths[i] != paths {
                continue
            }
            return nil
        }
        return "got \(JSON.array(values)) at \(paths), expected one of \(results) at \(resultPaths)"
    }
}

enum ComplianceSuite {
    static let cases: [ComplianceCase] = load()

    private static func load() -> [ComplianceCase] {
        guard let url = Bundle.module.url(forResource: "cts", withExtension: "json", subdirectory: "Resources/cts"),
            let text = try? String(contentsOf: url, encoding: .utf8),
            let suite = try? JSONParser.parse(text),
            let tests = suite["tests"]?.arrayValue
        else { return [] }
        return tests.map { test in
            var results: [[JSON]] = []
            var paths: [[String]] = []
            if let result = test["result"]?.arrayValue {
                results = [result]
                paths = [test["result_paths"]?.arrayValue?.compactMap(\.stringValue) ?? []]
            } else if let alternatives = test["results"]?.arrayValue {
                results = alternatives.compactMap(\.arrayValue)
                paths = test["results_paths"]?.arrayValue?.map { $0.arrayValue?.compactMap(\.stringValue) ?? [] } ?? []
            }
            return ComplianceCase(
                name: test["name"]?.stringValue ?? "?",
                selector: test["selector"]?.stringValue ?? "",
                document: test["document"] ?? .null,
                results: results,
                resultPaths: paths,
                isInvalid: test["invalid_selector"]?.boolValue ?? false)
        }
    }
}

@Suite struct ComplianceTests {
    @Test(arguments: ComplianceSuite.cases)
    func conforms(_ testCase: ComplianceCase) {
        if let failure = testCase.failure() { Issue.record("\(testCase.name): \(failure)") }
    }

    @Test func passesTheWholeSuite() {
        let cases = ComplianceSuite.cases
        let failures = cases.compactMap { $0.failure() }
        let passed = cases.count - failures.count
        print("JSONPath compliance: \(passed)/\(cases.count) cases pass")
        #expect(cases.count == 566)
        #expect(passed == cases.count)
    }
}
