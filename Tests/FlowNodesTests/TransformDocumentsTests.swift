import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `transform` on records kept as text (`TransformDocumentPlan`) gives what it gives on parsed
/// records: the same records, the same errors, the text of untouched members as written.
@Suite struct TransformDocumentsTests {
    /// Lines with numbers written non-canonically (`1.50`, `2E1`), escapes, a key spelled with an
    /// escape, containers large enough to have recorded ends, and a repeated key the node does not use.
    static let lines = """
        {"id": 1, "title": "Mascara \\"noir\\"", "price": 1.50, "stock": 5, "status": "In Stock", "tags": ["a", "b"], "reviews": [{"rating": 5, "comment": "\(String(repeating: "good ", count: 30))"}, {"rating": 2, "comment": "meh"}], "note": 1, "note": 2}
        {"id": 2, "title": "Lipstick", "price": 2E1, "stock": 0, "status": "In Stock", "dims": {"w": 1, "h": 2}}
        {"id": 3, "t\\u0069tle": "Powder", "price": 30, "stock": 2, "status": "Low Stock", "reviews": []}
        {"id": 4, "title": "Palette \\u00e9\\ud83d\\ude00", "price": 40, "stock": 1, "status": "In Stock", "brand": "B", "name": "old"}
        {"id": 5, "price": 7, "stock": 3, "status": "In Stock"}
        {}

        """

    /// Runs `src (file_input) -> t (transform with body) -> downstream` over `lines`, twice: once
    /// as documents, once with a second consumer of `src` that needs values, so that `src` sends
    /// parsed records. Returns both outputs (as written) and outcomes.
    static func bothPaths(_ lines: String, _ body: String, downstream: String = "", batchSize: Int = 500) async
        -> [(text: String?, outcome: WorkflowHarness.Outcome)]
    {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-transform-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/in.ndjson", contents: Data(lines.utf8))
        let indented = body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n")
        var results: [(String?, WorkflowHarness.Outcome)] = []
        for parsed in [false, true] {
            var yaml = """
                nodes:
                  src: { type: file_input, path: in.ndjson }
                  t:
                    type: transform
                    input: src
                \(indented)

                """
            if downstream.isEmpty {
                yaml += "  out: { type: file_output, input: t, path: out-\(parsed).ndjson }\n"
            } else {
                yaml += downstream + "\n  out: { type: file_output, input: down, path: out-\(parsed).ndjson }\n"
            }
            if parsed {
                yaml += """
                      values: { type: transform, input: src, expression: "$" }
                      ignore: { type: file_output, input: values, path: /dev/null }

                    """
            }
            let outcome = await WorkflowHarness.run(yaml, buckets: [], batchSize: batchSize, file: "\(dir)/w.yaml")
            #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
            results.append((try? String(contentsOfFile: "\(dir)/out-\(parsed).ndjson", encoding: .utf8), outcome))
        }
        try? FileManager.default.removeItem(atPath: dir)
        return results
    }

    /// Each line parsed and written canonically: equal when the records are equal, members in order.
    static func canonical(_ text: String?) -> [String]? {
        guard let text else { return nil }
        return text.split(separator: "\n").map { line in
            guard let value = try? JSONParser.parse(String(line)) else { return "unparsable: \(line)" }
            var bytes: [UInt8] = []
            value.write(to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    static func expectSame(_ runs: [(text: String?, outcome: WorkflowHarness.Outcome)], _ body: String,
                           sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        #expect(runs[0].outcome.result?.status == runs[1].outcome.result?.status, "\(body)", sourceLocation: sourceLocation)
        #expect(runs[0].outcome.node("t")?.error == runs[1].outcome.node("t")?.error, "\(body)", sourceLocation: sourceLocation)
        #expect(canonical(runs[0].text) == canonical(runs[1].text), "\(body)\n\(runs[0].text ?? "nil")\n\(runs[1].text ?? "nil")",
                sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        #"filter: status = "In Stock" and stock > 0"#,
        #"filter: price > 10"#,
        "set: { final_price: '$round(price * 0.9, 2)', title_upper: $uppercase(title) }",
        // Overwriting, removing with undefined, and reading a field set above.
        "set: { price: price * 2, stock: $undefined, double: price * 2, name: title }",
        "set: { tags: '$append(tags, \"new\")', reviews: 'reviews[rating > 3]' }",
        "rename: { title: name, brand: maker, missing: other }",
        "remove: [reviews, tags, missing]",
        """
        filter: stock > 0
        set:
          final_price: $round(price * (1 - 10 / 100), 2)
          stock: stock - 1
          label: title & " (" & $string(final_price) & ")"
        rename: { label: title, id: key }
        remove: [status, note]
        """,
        "set: { title: $lowercase(title) }\nrename: { title: title }",
    ])
    func sameRecordsAsParsedValues(_ body: String) async {
        let runs = await Self.bothPaths(Self.lines, body)
        #expect(runs[0].outcome.result?.status == .succeeded, "\(runs[0].outcome.result?.error ?? "\(runs[0].outcome.diagnostics)")")
        Self.expectSame(runs, body)
    }

    @Test func untouchedMembersKeepTheirText() async {
        let runs = await Self.bothPaths(Self.lines, "set: { final: price * 2 }")
        let documents = runs[0].text?.split(separator: "\n") ?? []
        let parsed = runs[1].text?.split(separator: "\n") ?? []
        #expect(documents.count == 6 && parsed.count == 6)
        // As written on the documents path; canonical on the parsed one.
        #expect(documents.first?.contains(#""price":1.50,"#) == true, "\(documents.first ?? "")")
        #expect(documents.first?.contains(#""note":1,"note":2,"#) == true, "\(documents.first ?? "")")
        #expect(documents.first?.hasSuffix(#","final":3}"#) == true, "\(documents.first ?? "")")
        #expect(parsed.first?.contains(#""price":1.5,"#) == true, "\(parsed.first ?? "")")
        #expect(documents.dropFirst().first?.contains(#""price":2E1,"#) == true)
        // The key written with an escape is the node's `title`.
        let renamed = await Self.bothPaths(Self.lines, "rename: { title: name }")
        #expect(renamed[0].text?.split(separator: "\n")[2].contains(#""name":"Powder""#) == true, "\(renamed[0].text ?? "")")
        Self.expectSame(renamed, "rename")
    }

    @Test func recordsThatAreNotObjectsOrRepeatAKeyTakeTheParsedPath() async {
        let lines = """
            {"price": 1, "price": 50, "id": 1}
            [1, 2]
            {"price": 60, "id": 2}

            """
        let filtered = await Self.bothPaths(lines, "filter: price > 10")
        Self.expectSame(filtered, "filter")
        #expect(Self.canonical(filtered[0].text) == [#"{"price":50,"id":1}"#, #"{"price":60,"id":2}"#], "\(filtered[0].text ?? "")")

        let set = await Self.bothPaths(lines, "set: { x: price }")
        #expect(set[0].outcome.result?.status == .failed)
        #expect(set[0].outcome.node("t")?.error?.contains("record 1: `set`, `rename` and `remove` need an object, but the record is an array") == true,
                "\(set[0].outcome.node("t")?.error ?? "")")
        Self.expectSame(set, "set")
    }

    @Test func runtimeErrorsNameTheSameRecordAcrossBatches() async {
        for body in ["filter: price > 25 and $number(title) > 0", "set: { ok: price, bad: price + title }"] {
            let runs = await Self.bothPaths(Self.lines, body, batchSize: 1)
            #expect(runs[0].outcome.result?.status == .failed, "\(body)")
            Self.expectSame(runs, body)
        }
    }

    /// The rewritten text keeps where its large containers end, so a `json_extract` after it
    /// skips them: the records it finds are the same.
    @Test func documentsStayNavigableDownstream() async {
        let downstream = """
              down:
                type: json_extract
                input: t
                records: $.reviews[*]
                fields:
                  rating: $.rating
                  comment: $.comment
            """
        let runs = await Self.bothPaths(Self.lines, "set: { first: $string(id) }\nremove: [tags]", downstream: downstream)
        #expect(runs[0].outcome.result?.status == .succeeded, "\(runs[0].outcome.result?.error ?? "")")
        #expect(runs[0].text?.split(separator: "\n").count == 2)
        Self.expectSame(runs, "json_extract")
    }
}
