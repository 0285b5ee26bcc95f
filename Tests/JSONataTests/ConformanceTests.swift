import FlowJSON
import Foundation
import Testing

@testable import JSONata

/// Runs the jsonata-js 2.2.2 test suite (Resources/suite.json, MIT, see Resources/LICENSE).
struct ConformanceTests {
    /// The pass count reached so far: the test fails if the engine regresses below it.
    static let passFloor = 1336

    struct Outcome: Sendable {
        var group: String
        var name: String
        var passed: Bool
        var detail: String
    }

    static func loadSuite() throws -> JSON {
        let url = Bundle.module.url(forResource: "suite", withExtension: "json", subdirectory: "Resources")!
        let text = try String(contentsOf: url, encoding: .utf8)
        return try JSONParser.parse(text)
    }

    static func unorderedEqual(_ a: JSON, _ b: JSON) -> Bool {
        guard case .array(var x) = a, case .array(let y) = b, x.count == y.count else { return a == b }
        for v in y {
            guard let i = x.firstIndex(of: v) else { return false }
            x.remove(at: i)
        }
        return true
    }

    static func run(_ c: JSON, datasets: JSONObject) -> Outcome {
        let group = c["group"]?.stringValue ?? ""
        let name = c["name"]?.stringValue ?? ""
        let expr = c["expr"]?.stringValue ?? ""
        var input: JSON? = nil
        if let obj = c.objectValue {
            if obj.keys.contains("data") {
                input = c["data"]
            } else if obj.keys.contains("dataset"), case .string(let ds)? = c["dataset"] {
                input = datasets[ds]
            }
        }
        var bindings: [String: JSON] = [:]
        if case .object(let b)? = c["bindings"] { for (k, v) in b { bindings[k] = v } }
        var limits = JSONataLimits(maxDepth: 100_000, maxStackBytes: 200 * 1024 * 1024, timeLimitMilliseconds: 20_000)
        if let d = c["depth"]?.intValue { limits.maxDepth = d }
        if let t = c["timelimit"]?.intValue { limits.timeLimitMilliseconds = max(t, 2000) * 5 }
        let expectedCode = c["code"]?.stringValue ?? c["error"]?["code"]?.stringValue
        var result: JSON?
        var thrown: JSONataError?
        do throws(JSONataError) {
            let e = try JSONataExpression(expr)
            result = try e.evaluate(input, bindings: bindings, limits: limits)
        } catch {
            thrown = error
        }
        func fail(_ why: String) -> Outcome { Outcome(group: group, name: name, passed: false, detail: why) }
        let got = thrown.map { "error \($0)" } ?? (result.map { $0.serialized() } ?? "undefined")
        if let expectedCode {
            guard let thrown else { return fail("expected error \(expectedCode), got \(got)") }
            if thrown.code != expectedCode { return fail("expected error \(expectedCode), got \(got)") }
            if let msg = c["error"]?["message"]?.stringValue, msg != thrown.message {
                return fail("expected message \(msg), got \(thrown.message)")
            }
            if let tok = c["token"]?.stringValue ?? c["error"]?["token"]?.stringValue, tok != thrown.token {
                return fail("expected token \(tok), got \(thrown.token ?? "nil")")
            }
            return Outcome(group: group, name: name, passed: true, detail: "")
        }
        if let thrown { return fail("unexpected error \(thrown)") }
        if c["undefinedResult"]?.boolValue == true {
            return result == nil ? Outcome(group: group, name: name, passed: true, detail: "") : fail("expected undefined, got \(got)")
        }
        guard let obj = c.objectValue, obj.keys.contains("result") else { return fail("case has no outcome") }
        let expected = c["result"]!
        guard let result else { return fail("expected \(expected.serialized()), got undefined") }
        let ok = c["unordered"]?.boolValue == true ? unorderedEqual(result, expected) : result == expected
        return ok ? Outcome(group: group, name: name, passed: true, detail: "") : fail("expected \(expected.serialized()), got \(got)")
    }

    /// Runs on a thread with a large stack so that deep (but bounded) recursion cases can complete.
    static func runAll() async throws -> [Outcome] {
        let suite = try loadSuite()
        let datasets = suite["datasets"]?.objectValue ?? JSONObject()
        let cases = suite["cases"]?.arrayValue ?? []
        return await withCheckedContinuation { (cont: CheckedContinuation<[Outcome], Never>) in
            let thread = Thread {
                var out: [Outcome] = []
                let trace = ProcessInfo.processInfo.environment["JSONATA_TRACE"] != nil
                for c in cases {
                    if trace { FileHandle.standardError.write(((c["name"]?.stringValue ?? "") + " " + (c["expr"]?.stringValue ?? "") + "\n").data(using: .utf8)!) }
                    out.append(run(c, datasets: datasets))
                }
                cont.resume(returning: out)
            }
            thread.stackSize = 512 * 1024 * 1024
            thread.start()
        }
    }

    @Test func conformance() async throws {
        let outcomes = try await Self.runAll()
        var groups: [String: (Int, Int)] = [:]
        var report = ""
        for o in outcomes {
            var g = groups[o.group] ?? (0, 0)
            g.1 += 1
            if o.passed { g.0 += 1 } else { report += "not passed (known difference unless the floor below fails): \(o.group)/\(o.name): \(o.detail.prefix(300))\n" }
            groups[o.group] = g
        }
        let passed = outcomes.filter { $0.passed }.count
        report += "\nper group:\n"
        for (name, g) in groups.sorted(by: { $0.key < $1.key }) {
            let pct = String(format: "%.1f", Double(g.0) * 100 / Double(g.1))
            report += "  \(name): \(g.0)/\(g.1) (\(pct)%)\n"
        }
        let pct = String(format: "%.2f", Double(passed) * 100 / Double(outcomes.count))
        report += "JSONata conformance: \(passed)/\(outcomes.count) passed (\(pct)%)\n"
        print(report)
        if let path = ProcessInfo.processInfo.environment["JSONATA_REPORT"] {
            try? report.write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(outcomes.count == 1337)
        #expect(passed >= Self.passFloor, "conformance regressed: \(passed) < \(Self.passFloor)")
    }
}
