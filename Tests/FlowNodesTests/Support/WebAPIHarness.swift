import FlowTestSupport
import FlowCore
import FlowJSON
import Foundation
import Testing

/// Runs a `webapi` node named `fetch` through the real loader, planner and engine into a collector.
enum WebAPIHarness {
    struct Outcome {
        var records: [JSON]
        /// The error of node `fetch`, if it failed.
        var error: String?
        var status: NodeStatus?
        var metrics: [String: Int]
        var diagnostics: Diagnostics
        var elapsed: Duration
    }

    /// The fixture's base URL, or a test failure explaining why the fixture is not running.
    static func base() throws -> String {
        try HTTPFixture.shared.get().url("")
    }

    /// `fetch` has the fields in `body`; with `records` (a YAML flow list), an inline `src` feeds it.
    /// With `documents`, the sink is a `file_output` (which reads pages as JSON text, so `fetch`
    /// keeps them as validated bytes) and the records are read back from its file.
    static func run(_ body: String, records: String? = nil, file: String = "test.yaml", extra: String = "",
                    documents: Bool = false) async -> Outcome {
        let bucket = UUID().uuidString
        var yaml = "name: webapi-test\n\(extra)nodes:\n"
        if let records { yaml += "  src:\n    type: inline\n    records: \(records)\n" }
        yaml += "  fetch:\n    type: webapi\n"
        if records != nil { yaml += "    input: src\n" }
        yaml += body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("webapi-\(bucket).ndjson").path
        if documents {
            yaml += "  sink:\n    type: file_output\n    input: fetch\n    path: \(output)\n    format: ndjson\n"
        } else {
            yaml += "  sink:\n    type: test_collector\n    input: fetch\n    bucket: \(bucket)\n"
        }
        let clock = ContinuousClock()
        let start = clock.now
        let outcome = await WorkflowHarness.run(yaml, buckets: [bucket], file: file)
        let elapsed = clock.now - start
        let node = outcome.node("fetch")
        var collected = outcome.collected[bucket] ?? []
        if documents {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            collected = text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) }
            try? FileManager.default.removeItem(atPath: output)
        }
        return Outcome(records: collected, error: node?.error, status: node?.status,
                       metrics: node?.metrics ?? [:], diagnostics: outcome.diagnostics, elapsed: elapsed)
    }

    /// The diagnostics `flow validate` reports for a `fetch` node with `body`.
    static func validate(_ body: String, input: Bool = false) -> [String] {
        var yaml = "name: webapi-test\nnodes:\n"
        if input { yaml += "  src:\n    type: inline\n    records: [{id: 1}]\n" }
        yaml += "  fetch:\n    type: webapi\n"
        if input { yaml += "    input: src\n" }
        yaml += body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n") + "\n"
        return WorkflowHarness.validate(yaml).items.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
    }
}
