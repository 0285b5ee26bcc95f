import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

@Suite struct FileNodesTests {
    func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-files-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func write(_ path: String, _ text: String) {
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    @Test func csvWithQuotesDelimitersAndLineBreaks() async throws {
        let dir = scratch()
        write("\(dir)/in.csv", "\u{FEFF}id,name,note\r\n1,\"Smith, J\",\"said \"\"hi\"\"\"\r\n2,Ünïcode,\"two\nlines\"\r\n3,,\r\n")
        let outcome = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: in.csv, infer_types: true }
              out: { type: test_collector, input: src, bucket: csv-read }
            """, buckets: ["csv-read"], batchSize: 1, file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .succeeded, "\(outcome.result?.error ?? "")")
        let records = outcome.collected["csv-read"] ?? []
        #expect(records == [
            ["id": 1, "name": "Smith, J", "note": "said \"hi\""],
            ["id": 2, "name": "Ünïcode", "note": "two\nlines"],
            ["id": 3, "name": nil, "note": nil],
        ])
        #expect(records.first?.objectValue.map { Array($0.keys) } == ["id", "name", "note"])
    }

    @Test func csvRoundTripsThroughFileOutput() async throws {
        let dir = scratch()
        let outcome = await WorkflowHarness.run("""
            nodes:
              src:
                type: inline
                records:
                  - { id: 1, name: "a,b", nested: { x: 1 }, quote: "say \\"x\\"" }
                  - { id: 2, name: "multi\\nline", nested: null, quote: "" }
              out: { type: file_output, input: src, path: out/data.csv }
            """, buckets: [], file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .succeeded, "\(outcome.result?.error ?? "")")
        #expect(read("\(dir)/out/data.csv") == "id,name,nested,quote\n1,\"a,b\",\"{\"\"x\"\":1}\",\"say \"\"x\"\"\"\n2,\"multi\nline\",,\n")
        let back = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: out/data.csv }
              out: { type: test_collector, input: src, bucket: csv-back }
            """, buckets: ["csv-back"], file: "\(dir)/w2.yaml")
        #expect(back.collected["csv-back"]?[1]["name"] == "multi\nline")
        #expect(back.collected["csv-back"]?[0]["nested"] == "{\"x\":1}")
    }

    @Test func ndjsonErrorNamesFileLineAndColumn() async {
        let dir = scratch()
        write("\(dir)/in.ndjson", "{\"a\":1}\n\n{\"a\":2}\n{\"a\":}\n{\"a\":4}\n")
        let outcome = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: test_collector, input: src, bucket: nd-err }
            """, buckets: ["nd-err"], file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .failed)
        #expect(outcome.node("src")?.error == "node `src` (file_input) failed: `\(dir)/in.ndjson`:4:6: invalid JSON: unexpected character '}', expected a value (NDJSON needs one complete JSON value per line)")
    }

    @Test func ndjsonPassesThroughAsDocumentsUnchangedButCompact() async {
        // file_input -> file_output reads no values: lines keep their text (digits, escapes) and
        // lose only insignificant whitespace; a bad line is still an error with file:line:column.
        let dir = scratch()
        write("\(dir)/in.ndjson", "{\"a\": 1.50, \"b\": \"\\u00e9\\n\"}\n\n  [1, 2]\t\n\"x\"\n")
        let outcome = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: file_output, input: src, path: out.ndjson }
              arr: { type: file_output, input: src, path: out.json, format: json }
            """, buckets: [], file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .succeeded, "\(outcome.result?.error ?? "")")
        #expect(read("\(dir)/out.ndjson") == "{\"a\":1.50,\"b\":\"\\u00e9\\n\"}\n[1,2]\n\"x\"\n")
        #expect(read("\(dir)/out.json") == "[{\"a\":1.50,\"b\":\"\\u00e9\\n\"},[1,2],\"x\"]\n")
        #expect(outcome.node("src")?.recordsOut == 3)
        #expect(outcome.node("out")?.recordsIn == 3)

        write("\(dir)/bad.ndjson", "{\"a\":1}\n{\"a\": tru}\n")
        let bad = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: bad.ndjson }
              out: { type: file_output, input: src, path: bad-out.ndjson }
            """, buckets: [], file: "\(dir)/w2.yaml")
        #expect(bad.result?.status == .failed)
        #expect(bad.node("src")?.error?.contains("bad.ndjson`:2:7: invalid JSON") == true, "\(bad.node("src")?.error ?? "")")
    }

    @Test func aConsumerThatNeedsValuesGetsParsedRecords() async {
        // One consumer reads documents, the other needs values: the producer parses for both.
        let dir = scratch()
        write("\(dir)/in.ndjson", "{\"a\": 1.50}\n{\"a\": 2}\n")
        let outcome = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: file_output, input: src, path: out.ndjson }
              c: { type: test_collector, input: src, bucket: mixed-consumers }
            """, buckets: ["mixed-consumers"], file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .succeeded, "\(outcome.result?.error ?? "")")
        #expect(outcome.collected["mixed-consumers"] == [["a": 1.5], ["a": 2]])
        #expect(read("\(dir)/out.ndjson") == "{\"a\":1.5}\n{\"a\":2}\n")
    }

    @Test func aClosedWriterNeverClosesTheDescriptorAgain() throws {
        // Two file_output nodes finishing together: the first one's writer, released after
        // close(), must not close the descriptor number the second one was just given.
        let dir = scratch()
        // The number is normally reused at once; other tests opening files at the same moment
        // can take it first, so try again until it is.
        var first: FileWriter?
        var reused: FileWriter?
        for attempt in 0..<50 where reused == nil {
            first = try FileWriter(path: "\(dir)/a\(attempt).txt", append: false)
            try first!.close()
            let candidate = try FileWriter(path: "\(dir)/b.txt", append: false)
            if candidate.fd == first!.fd { reused = candidate } else { try candidate.close() }
        }
        let second = try #require(reused, "the descriptor number was never reused")
        first = nil
        try second.write(Array("still open\n".utf8))
        try second.close()
        #expect(read("\(dir)/b.txt") == "still open\n")
    }

    @Test func jsonArrayGivesOneRecordPerElement() async {
        let dir = scratch()
        write("\(dir)/a.json", "[{\"a\":1},{\"a\":2}]")
        write("\(dir)/o.json", "{\"products\":[1,2,3]}")
        let outcome = await WorkflowHarness.run("""
            nodes:
              arr: { type: file_input, path: a.json }
              obj: { type: file_input, path: o.json }
              c1: { type: test_collector, input: arr, bucket: json-arr }
              c2: { type: test_collector, input: obj, bucket: json-obj }
            """, buckets: ["json-arr", "json-obj"], file: "\(dir)/w.yaml")
        #expect(outcome.collected["json-arr"] == [["a": 1], ["a": 2]])
        #expect(outcome.collected["json-obj"] == [["products": [1, 2, 3]]])
    }

    @Test func failedOverwriteKeepsThePreviousFile() async {
        let dir = scratch()
        write("\(dir)/out.ndjson", "previous\n")
        write("\(dir)/in.ndjson", "{\"a\":1}\n{broken\n")
        let outcome = await WorkflowHarness.run("""
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: file_output, input: src, path: out.ndjson }
            """, buckets: [], batchSize: 1, file: "\(dir)/w.yaml")
        #expect(outcome.result?.status == .failed)
        #expect(read("\(dir)/out.ndjson") == "previous\n")
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: dir))?.filter { $0.contains("flow-tmp") } ?? []
        #expect(leftovers.isEmpty)
    }

    @Test func appendModeAddsRecordsAndKeepsTheCSVHeader() async {
        let dir = scratch()
        let workflow = """
            nodes:
              src: { type: inline, records: [{ id: 1, v: x }] }
              out: { type: file_output, input: src, path: log.csv, mode: append }
            """
        _ = await WorkflowHarness.run(workflow, buckets: [], file: "\(dir)/w.yaml")
        _ = await WorkflowHarness.run(workflow, buckets: [], file: "\(dir)/w.yaml")
        #expect(read("\(dir)/log.csv") == "id,v\n1,x\n1,x\n")
    }

    @Test func validationCatchesFormatProblems() {
        let diagnostics = WorkflowHarness.validate("""
            nodes:
              src: { type: file_input, path: data.txt }
              out: { type: file_output, input: src, path: x.json, mode: append }
            """)
        #expect(diagnostics.errors.map(\.message) == [
            "node `src` (file_input): cannot tell the format of `data.txt` from its extension",
            "node `out` (file_output): `mode: append` works with ndjson and csv, not json",
        ])
        #expect(diagnostics.errors.map { $0.location?.line } == [2, 3])
    }
}
