import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `json_extract` sends documents (the extracted values' text) when every consumer reads documents,
/// and records otherwise: the two give the same output.
@Suite struct JSONExtractDocumentsTests {
    static let long = String(repeating: "abc ", count: 40)
    /// Canonical text (as flow writes JSON): large nested containers, escaped strings, a product
    /// without some fields, a page whose `products` is not an array.
    static let canonical = [
        #"{"products":[{"id":1,"title":"Tab\there \"quoted\" back\\slash\nline \u0001 é","price":9.99,"# +
            #""dims":{"w":1,"deep":{"list":[{"a":"\#(long)"},[1,2,[3,{"b":"\#(long)"}]]],"x":"\#(long)"}},"# +
            #""tags":["\#(long)","y"],"brand":null,"stock":5},"# +
            #"{"id":2,"title":"","price":-0.5,"dims":{},"tags":[],"stock":0},"# +
            #"{"id":3,"title":"\#(long)","price":12.25,"dims":{"w":[{"\#(long)":"\#(long)"}]},"stock":-7}],"total":3}"#,
        #"{"products":[]}"#,
        #"{"products":{"not":"a list"}}"#,
        #"{"products":[7,"s",null,[{"id":4}],{"id":5,"title":"last"}]}"#,
    ]

    static let fields = """
        records: $.products[*]
        fields:
          id: $.id
          title: $.title
          price: $.price
          dims: $.dims
          deep: $.dims.deep.list[1]
          tag: $.tags[0]
          brand: { path: $.brand, missing: omit }
          stock: $.stock
        """

    /// Runs `src` (file_input over `lines`) -> `ex` (json_extract with `body`) -> `ex2` (json_extract
    /// with `body2`, reading documents) -> `out`/`out2` (NDJSON files). With `forceRecords`, a
    /// collector also reads `ex` and `ex2`, so that both send records. Returns the two files.
    static func run(_ lines: [String], _ body: String, then body2: String, forceRecords: Bool,
                    batchSize: Int = 500) async throws -> (out: String, out2: String, outcome: WorkflowHarness.Outcome) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-exdocs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/in.ndjson", contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        let bucket = UUID().uuidString
        let collectors = forceRecords ? """
              c1: { type: test_collector, input: ex, bucket: \(bucket) }
              c2: { type: test_collector, input: ex2, bucket: \(bucket)-2 }
            """ : ""
        let yaml = """
            nodes:
              src: { type: file_input, path: in.ndjson }
              ex:
                type: json_extract
                input: src
            \(DatabaseWorkflow.indent(body, 4))
              ex2:
                type: json_extract
                input: ex
            \(DatabaseWorkflow.indent(body2, 4))
              out: { type: file_output, input: ex, path: out.ndjson }
              out2: { type: file_output, input: ex2, path: out2.ndjson }
            \(collectors)
            """
        let outcome = await WorkflowHarness.run(yaml, buckets: forceRecords ? [bucket, bucket + "-2"] : [],
                                                batchSize: batchSize, file: "\(dir)/w.yaml")
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
        let out = (try? String(contentsOfFile: "\(dir)/out.ndjson", encoding: .utf8)) ?? ""
        let out2 = (try? String(contentsOfFile: "\(dir)/out2.ndjson", encoding: .utf8)) ?? ""
        return (out, out2, outcome)
    }

    static func parsedLines(_ text: String) throws -> [JSON] {
        try text.split(separator: "\n").map { line in
            var bytes = Array(line.utf8)
            return try bytes.withUnsafeMutableBytes { try JSONParser.parse(UnsafeRawBufferPointer($0)) }
        }
    }

    /// `ex2` reads `ex`'s output: a field after a large container, found by skipping it.
    static let second = """
        fields:
          id: $.id
          w: $.dims.w
          after: $.stock
          deep_b: $.deep[2][1].b
        """

    @Test(arguments: [1, 2, 500])
    func documentsAndRecordsWriteTheSameBytes(batchSize: Int) async throws {
        let documents = try await Self.run(Self.canonical, Self.fields, then: Self.second, forceRecords: false, batchSize: batchSize)
        let records = try await Self.run(Self.canonical, Self.fields, then: Self.second, forceRecords: true, batchSize: batchSize)
        #expect(documents.outcome.result?.status == .succeeded, "\(documents.outcome.result?.error ?? "")")
        #expect(records.outcome.result?.status == .succeeded, "\(records.outcome.result?.error ?? "")")
        #expect(documents.out.split(separator: "\n").count == 9)
        #expect(documents.out == records.out)
        #expect(documents.out2 == records.out2)
        #expect(documents.out.hasPrefix(#"{"id":1,"title":"Tab\there \"quoted\" back\\slash\nline \u0001 é","price":9.99,"dims":{"w":1,"deep":"#))
        #expect(documents.out2.contains(#""after":5,"deep_b":"\#(Self.long)"}"#), "\(documents.out2)")
        #expect(try Self.parsedLines(documents.out2) == Self.parsedLines(records.out2))
        #expect(documents.outcome.node("ex")?.recordsOut == 9)
    }

    @Test func wholeRecordsAreSentAsTheirText() async throws {
        let body = "records: $.products[*]"
        let documents = try await Self.run(Self.canonical, body, then: "records: $.dims.deep", forceRecords: false)
        let records = try await Self.run(Self.canonical, body, then: "records: $.dims.deep", forceRecords: true)
        #expect(documents.out.split(separator: "\n").count == 9)
        #expect(documents.out == records.out)
        #expect(documents.out2 == records.out2)
        #expect(documents.out2.split(separator: "\n").count == 1)
    }

    /// Text that flow writes differently once parsed: numbers and escapes as written, a repeated
    /// key. The records are the same values; the documents keep the text.
    @Test func valuesKeepTheirTextAndParseTheSame() async throws {
        let lines = [
            #"{"products":[{"id":1,"title":"caf\u00e9 \/ x","price":1.50,"dims":{"w":2,"w":3,"deep":{"list":[0,[1,2,[3,{"b":"\#(Self.long)","b":"last"}]]]}},"tags":["\u0041"],"stock":1E2}]}"#,
        ]
        let documents = try await Self.run(lines, Self.fields, then: Self.second, forceRecords: false)
        let records = try await Self.run(lines, Self.fields, then: Self.second, forceRecords: true)
        #expect(documents.out.contains(#""price":1.50"#), "\(documents.out)")
        #expect(documents.out.contains(#""title":"caf\u00e9 \/ x""#))
        #expect(records.out.contains(#""price":1.5,"#), "\(records.out)")
        #expect(try Self.parsedLines(documents.out) == Self.parsedLines(records.out))
        #expect(try Self.parsedLines(documents.out2) == Self.parsedLines(records.out2))
        #expect(records.out2.contains(#""w":3"#) && records.out2.contains(#""deep_b":"last""#), "\(records.out2)")
    }

    /// Members in changing orders, escaped keys, a key repeated: found as in parsed records.
    @Test func membersInAnyOrderAreFound() async throws {
        let lines = [
            #"{"products":[{"id":1,"title":"a","stock":1},{"id":2,"title":"b","stock":2},{"title":"c","id":3,"stock":3}]}"#,
            #"{"products":[{"id":4,"x":0,"title":"d"},{"id":5,"t\u0069tle":"e","stock":5},{"\u0069d":6,"title":"f","title":"g"}]}"#,
            #"{"products":[{"id":7,"title":"h","stock":7,"price":1},{"id":8},{},{"id":9,"title":"i","stock":9}]}"#,
        ]
        let body = """
            records: $.products[*]
            fields: { id: $.id, title: $.title, stock: $.stock }
            """
        let documents = try await Self.run(lines, body, then: "records: $", forceRecords: false)
        let records = try await Self.run(lines, body, then: "records: $", forceRecords: true)
        #expect(documents.out == records.out)
        #expect(documents.out.split(separator: "\n").count == 10)
        #expect(documents.out.contains(#"{"id":5,"title":"e","stock":5}"#), "\(documents.out)")
        #expect(documents.out.contains(#"{"id":6,"title":"g","stock":null}"#), "\(documents.out)")
    }

    @Test func aMissingFieldFailsTheSameWay() async throws {
        let body = """
            records: $.products[*]
            fields:
              id: $.id
              title: { path: $.title, missing: error }
            """
        let documents = try await Self.run(Self.canonical, body, then: "records: $", forceRecords: false)
        let records = try await Self.run(Self.canonical, body, then: "records: $", forceRecords: true)
        let error = try #require(documents.outcome.node("ex")?.error)
        #expect(error == records.outcome.node("ex")?.error)
        #expect(error.contains(#"record 3, field "title": no match for `$.title`"#), "\(error)")
    }

    /// `types` converts values: the node sends records, as before.
    @Test func conversionsKeepRecords() async throws {
        let body = """
            records: $.products[*]
            fields:
              id: { path: $.id, type: string }
              price: $.price
            """
        let lines = [#"{"products":[{"id":1,"price":1.50}]}"#]
        let documents = try await Self.run(lines, body, then: "records: $", forceRecords: false)
        #expect(documents.out == #"{"id":"1","price":1.5}"# + "\n")
    }
}
