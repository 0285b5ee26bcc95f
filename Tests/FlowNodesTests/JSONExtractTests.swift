import FlowCore
import FlowJSON
import Foundation
import JSONPath
import Testing

@testable import FlowNodes

/// `json_extract` run through the real loader, planner and engine: inline -> json_extract -> collector.
@Suite struct JSONExtractTests {
    /// Two dummyjson-shaped pages.
    static let pages = """
        [
          {"products": [
             {"id": 1, "title": "Mascara", "price": 9.99, "tags": ["beauty", "mascara"], "dimensions": {"width": 15.14, "height": 13.08},
              "reviews": [{"rating": 5, "comment": "Great"}, {"rating": 2, "comment": "Meh"}], "sku": "BEA-1"},
             {"id": 2, "title": "Eyeshadow", "price": 19.99, "tags": [], "dimensions": {"width": 9.26},
              "reviews": [], "sku": null}
           ], "total": 3, "skip": 0, "limit": 2},
          {"products": [
             {"id": 3, "title": "Powder", "price": 14.99, "tags": ["face"], "reviews": [{"rating": 1, "comment": "Bad"}]}
           ], "total": 3, "skip": 2, "limit": 2}
        ]
        """

    /// A workflow whose `ex` node is `json_extract` with `body` (indented by 4 spaces) over `records`.
    static func workflow(_ records: String, _ body: String, bucket: String) -> String {
        """
        name: extract-test
        nodes:
          src:
            type: inline
            records: \(records)
          ex:
            type: json_extract
            input: src
        \(body.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }.joined(separator: "\n"))
          sink:
            type: test_collector
            input: ex
            bucket: \(bucket)
        """
    }

    /// Runs `body` over `records` and returns the collected records, or the failure of node `ex`.
    static func extract(_ body: String, batchSize: Int = 500) async -> (records: [JSON], error: String?) {
        await extract(pages, body, batchSize: batchSize)
    }

    /// Runs `body` over `records` (a YAML list of documents).
    static func extract(_ records: String, _ body: String, batchSize: Int = 500) async -> (records: [JSON], error: String?) {
        let bucket = UUID().uuidString
        let outcome = await WorkflowHarness.run(workflow(records, body, bucket: bucket), buckets: [bucket], batchSize: batchSize)
        #expect(!outcome.diagnostics.hasErrors, "\(outcome.diagnostics.items)")
        return (outcome.collected[bucket] ?? [], outcome.node("ex")?.error)
    }

    static func object(_ record: JSON) -> JSONObject { record.objectValue ?? [:] }

    // MARK: Selecting records and fields

    @Test func selectsRecordsAcrossDocuments() async {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            fields: { id: $.id, title: $.title }
            """)
        #expect(error == nil)
        #expect(records == [
            ["id": 1, "title": "Mascara"], ["id": 2, "title": "Eyeshadow"], ["id": 3, "title": "Powder"],
        ])
        #expect(records.first.map { Array(Self.object($0).keys) } == ["id", "title"])
    }

    @Test func nestedAndNonSingularFieldPathsTakeTheFirstMatch() async {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            fields:
              width: $.dimensions.width
              first_tag: $.tags[0]
              last_tag: $.tags[-1]
              critical: "$.reviews[?@.rating < 3].comment"
              any_tag: $.tags[*]
            """)
        #expect(error == nil)
        #expect(records == [
            ["width": 15.14, "first_tag": "beauty", "last_tag": "mascara", "critical": "Meh", "any_tag": "beauty"],
            ["width": 9.26, "first_tag": nil, "last_tag": nil, "critical": nil, "any_tag": nil],
            ["width": nil, "first_tag": "face", "last_tag": "face", "critical": "Bad", "any_tag": "face"],
        ])
    }

    @Test func wholeRecordWithoutFields() async {
        let (records, error) = await Self.extract("records: $.products[*]")
        #expect(error == nil)
        #expect(records.count == 3)
        #expect(records.map { $0["id"] } == [1, 2, 3])
        #expect(records[0]["tags"] == ["beauty", "mascara"])
    }

    @Test func defaultRecordsIsTheDocument() async {
        let (records, error) = await Self.extract("""
            fields: { total: $.total, first: "$.products[0].id" }
            """)
        #expect(error == nil)
        #expect(records == [["total": 3, "first": 1], ["total": 3, "first": 3]])
    }

    @Test func singularRecordsQueryYieldsAtMostOneRecordPerDocument() async {
        let (records, error) = await Self.extract("""
            records: $.products[1]
            fields: { id: $.id }
            """)
        #expect(error == nil)
        #expect(records == [["id": 2]])
    }

    @Test func recordsMayBeScalars() async {
        let (records, error) = await Self.extract("""
            records: $.products[*].id
            fields: { id: $, doubled: $.nothing }
            missing: omit
            """)
        #expect(error == nil)
        #expect(records == [["id": 1], ["id": 2], ["id": 3]])
    }

    // MARK: Missing values

    @Test func missingIsNullByDefaultAndPresentNullStaysNull() async {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            fields: { id: $.id, sku: $.sku }
            """)
        #expect(error == nil)
        #expect(records == [["id": 1, "sku": "BEA-1"], ["id": 2, "sku": nil], ["id": 3, "sku": nil]])
        // Present-but-null and absent both give a null member.
        #expect(records.map { Array(Self.object($0).keys) } == [["id", "sku"], ["id", "sku"], ["id", "sku"]])
    }

    @Test func missingOmitLeavesTheFieldOut() async {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            fields: { id: $.id, sku: $.sku, height: $.dimensions.height }
            missing: omit
            """)
        #expect(error == nil)
        #expect(records.map { Array(Self.object($0).keys) } == [["id", "sku", "height"], ["id", "sku"], ["id"]])
        #expect(records[1]["sku"] == .null)
    }

    @Test func missingErrorNamesRecordAndField() async throws {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            fields: { id: $.id, height: $.dimensions.height }
            missing: error
            """)
        #expect(records.isEmpty)
        let message = try #require(error)
        #expect(message.contains(#"record 1, field "height": no match for `$.dimensions.height`"#), "\(message)")
        #expect(message.contains("node `ex` (json_extract)"))
        #expect(message.contains("input document 0"))
    }

    @Test func perFieldMissingOverridesTheNode() async {
        let (records, error) = await Self.extract("""
            records: $.products[*]
            missing: error
            fields:
              id: $.id
              height: { path: $.dimensions.height, missing: omit }
              sku: { path: $.sku, missing: "null" }
            """)
        #expect(error == nil)
        #expect(records == [["id": 1, "height": 13.08, "sku": "BEA-1"], ["id": 2, "sku": nil], ["id": 3, "sku": nil]])

        // A plain YAML `null` (not the string) names the `null` policy, per node and per field.
        let (plain, plainError) = await Self.extract("""
            records: $.products[*]
            missing: null
            fields:
              sku: { path: $.sku, missing: null }
              height: $.dimensions.height
            """)
        #expect(plainError == nil)
        #expect(plain == [["sku": "BEA-1", "height": 13.08], ["sku": nil, "height": nil], ["sku": nil, "height": nil]])
        let (_, overridden) = await Self.extract("""
            records: $.products[*]
            missing: error
            fields: { id: $.id, sku: { path: $.sku, missing: null } }
            """)
        #expect(overridden == nil)

        let (_, failure) = await Self.extract("""
            records: $.products[*]
            missing: omit
            fields:
              id: $.id
              width: { path: $.dimensions.width, missing: error }
            """)
        #expect(failure?.contains(#"record 2, field "width": no match for `$.dimensions.width`"#) == true, "\(failure ?? "")")
    }

    // MARK: Types

    @Test func typesConvertValues() async {
        let documents = """
            [{"a": "12", "b": 12.0, "c": "9.5", "d": 3, "e": 12, "f": 2.5, "g": true, "h": "true", "i": "false", "j": null}]
            """
        let (records, error) = await Self.extract(documents, """
            fields: { a: $.a, b: $.b, c: $.c, d: $.d, e: $.e, f: $.f, g: $.g, h: $.h, i: { path: $.i, type: bool }, j: $.j }
            types: { a: int, b: int, c: double, d: double, e: string, f: string, g: string, h: bool, j: int }
            """)
        #expect(error == nil)
        let record = Self.object(records.first ?? .null)
        #expect(Array(record.keys) == ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"])
        // Compare cases, not just numeric values: `==` treats 3 and 3.0 as equal.
        guard case .int(12)? = record["a"], case .int(12)? = record["b"], case .double(9.5)? = record["c"],
              case .double(3)? = record["d"], case .string("12")? = record["e"], case .string("2.5")? = record["f"],
              case .string("true")? = record["g"], case .bool(true)? = record["h"], case .bool(false)? = record["i"],
              case .null? = record["j"]
        else {
            Issue.record("unexpected conversions: \(JSON.object(record))")
            return
        }
    }

    @Test func conversionErrorNamesTheRecordIndexAcrossBatches() async {
        // Five documents in batches of two: the bad one is record 3, in the second batch.
        let documents = #"[{"price": "1.5"}, {"price": 2}, {"price": "3"}, {"price": "abc"}, {"price": 5}]"#
        let (_, error) = await Self.extract(documents, """
            fields: { price: $.price }
            types: { price: double }
            """, batchSize: 2)
        let message = error ?? ""
        #expect(message.contains(#"record 3, field "price": cannot convert string "abc" to double"#), "\(message)")
        // With `records: $` the record is the document: no extra hint.
        #expect(!message.contains("input document"))
    }

    @Test func conversionErrorCountsSelectedRecordsAcrossDocuments() async {
        let (_, error) = await Self.extract("""
            records: $.products[*]
            fields: { title: { path: $.title, type: int } }
            """, batchSize: 1)
        let message = error ?? ""
        #expect(message.contains(#"record 0, field "title": cannot convert string "Mascara" to int"#), "\(message)")

        let (_, later) = await Self.extract("""
            records: $.products[*]
            fields: { first_tag: { path: "$.tags[0]", type: double, missing: omit } }
            """, batchSize: 1)
        #expect(later?.contains(#"record 0, field "first_tag": cannot convert string "beauty" to double"#) == true, "\(later ?? "")")

        let (_, third) = await Self.extract("""
            records: $.products[*]
            fields: { reviews: { path: "$.reviews[0].comment", type: bool, missing: omit } }
            """)
        #expect(third?.contains(#"record 0, field "reviews": cannot convert string "Great" to bool"#) == true)

        let (_, nested) = await Self.extract("""
            records: $.products[*]
            fields: { rating: "$.reviews[?@.rating < 2].comment", id: $.id }
            types: { rating: int }
            """)
        #expect(nested?.contains(#"record 2, field "rating": cannot convert string "Bad" to int"#) == true, "\(nested ?? "")")
        #expect(nested?.contains("selected by `$.products[*]` in input document 1") == true, "\(nested ?? "")")
    }

    @Test(arguments: [
        (FieldConversion.int, JSON.string("1e3"), JSON.int(1000)),
        (.int, .double(-4.0), .int(-4)),
        (.int, .string("-17"), .int(-17)),
        (.double, .string("-0.25"), .double(-0.25)),
        (.double, .string("1E2"), .double(100)),
        (.string, .double(0.1), .string("0.1")),
        (.string, .string("x"), .string("x")),
        (.string, .bool(false), .string("false")),
        (.bool, .bool(false), .bool(false)),
        (.int, .null, .null),
    ])
    func conversions(_ conversion: FieldConversion, _ input: JSON, _ expected: JSON) throws {
        let converted = try conversion.apply(input)
        #expect(converted == expected)
        #expect(converted.typeName == expected.typeName)
        if case .int = expected { #expect(converted.intValue != nil && converted.doubleValue == expected.doubleValue) }
    }

    @Test(arguments: [
        (FieldConversion.int, JSON.string("12.5"), #"cannot convert string "12.5" to int: not an integer"#),
        (.int, .double(2.5), "cannot convert number 2.5 to int: not an integer"),
        (.int, .double(1e30), "cannot convert number 1e+30 to int: out of range"),
        (.int, .bool(true), "cannot convert boolean true to int"),
        (.double, .string("nan"), #"cannot convert string "nan" to double"#),
        (.double, .string(" 1"), #"cannot convert string " 1" to double"#),
        (.double, .string(""), #"cannot convert string "" to double"#),
        (.string, .array([1]), "cannot convert array to string"),
        (.string, .object([:]), "cannot convert object to string"),
        (.bool, .int(1), "cannot convert number 1 to bool"),
        (.bool, .string("yes"), #"cannot convert string "yes" to bool"#),
    ])
    func conversionFailures(_ conversion: FieldConversion, _ input: JSON, _ message: String) {
        #expect(throws: FieldConversion.Failure.self) { try conversion.apply(input) }
        do {
            _ = try conversion.apply(input)
        } catch {
            #expect(error.message == message)
        }
    }

    @Test func longStringsAreShortenedInMessages() {
        let text = String(repeating: "x", count: 100)
        #expect(TextFormat.describe(.string(text)) == "string \"" + String(repeating: "x", count: 40) + "...\"")
    }

    // MARK: Validation

    /// The diagnostics for a workflow whose `ex` node has `body`.
    static func validate(_ body: String) -> [Diagnostic] {
        WorkflowHarness.validate(workflow("[]", body, bucket: "unused")).errors
    }

    /// Where JSONPath reports the problem in `query`.
    static func offset(of query: String) -> Int? {
        do throws(JSONPathError) {
            _ = try JSONPathQuery(query)
            return nil
        } catch {
            return error.offset
        }
    }

    @Test func badRecordsPathIsLocatedAtTheCharacter() throws {
        // Line 9 is `    records: $.products[*`: the query starts at column 14, the problem is at its end.
        let errors = Self.validate("records: $.products[*")
        let error = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(error.message.contains("invalid JSONPath in `records`: expected"), "\(error.message)")
        #expect(Self.offset(of: "$.products[*") == 12)
        #expect(error.location == SourceLocation(file: "test.yaml", line: 9, column: 14 + 12))
    }

    @Test func badFieldPathsAreAllReportedAtTheirCharacters() throws {
        let errors = Self.validate("""
            records: $.products[*]
            fields:
              id: $.id
              title: $.title[
              price: { path: "$.price[?@.x == ]", type: double }
              tag: tags[0]
            """)
        #expect(errors.count == 3, "\(errors)")
        // Line 9 is `records`; `title: $.title[` is line 12, its query starting at column 14.
        let title = try #require(errors.first { $0.message.contains("`fields.title`") })
        #expect(Self.offset(of: "$.title[") == 8)
        #expect(title.location == SourceLocation(file: "test.yaml", line: 12, column: 14 + 8))
        // `      price: { path: "` is 22 columns; the problem is the `]` at offset 16.
        let price = try #require(errors.first { $0.message.contains("`fields.price.path`") })
        #expect(Self.offset(of: "$.price[?@.x == ]") == 16)
        #expect(price.location == SourceLocation(file: "test.yaml", line: 13, column: 23 + 16))
        let tag = try #require(errors.first { $0.message.contains("`fields.tag`") })
        #expect(tag.location == SourceLocation(file: "test.yaml", line: 14, column: 12))
        #expect(tag.hint == "a JSONPath query starts with `$`, the record: `$.tags[0]`")
        #expect(JSONExtractNode.rootHint("@.price", root: "the record") == "a JSONPath query starts with `$`, the record: `$.price`")
        #expect(JSONExtractNode.rootHint(".products[*]", root: "the input document")
            == "a JSONPath query starts with `$`, the input document: `$.products[*]`")
        #expect(JSONExtractNode.rootHint("$.x[", root: "the record") == nil)
    }

    @Test func typesMustNameExtractedFields() throws {
        let unknown = Self.validate("""
            fields: { price: $.price }
            types: { prise: double }
            """)
        #expect(unknown.count == 1)
        #expect(unknown.first?.message.contains("`types` names `prise`, which is not in `fields`") == true)
        #expect(unknown.first?.hint?.contains("price") == true)

        let twice = Self.validate("""
            fields: { price: { path: $.price, type: int } }
            types: { price: double }
            """)
        #expect(twice.first?.message.contains("has a `type` in `fields` and in `types`") == true, "\(twice)")

        let noFields = Self.validate("types: { price: double }")
        #expect(noFields.first?.message.contains("`types` needs `fields`") == true, "\(noFields)")
    }

    @Test func specErrorsComeFromTheValidator() {
        let badType = Self.validate("""
            fields: { price: $.price }
            types: { price: float }
            """)
        #expect(badType.first?.message.contains("must be one of `int`, `double`, `string`, `bool`") == true, "\(badType)")

        let badKey = Self.validate("fields: { price: { pth: $.price } }")
        #expect(badKey.contains { $0.message.contains("unknown field `pth`") }, "\(badKey)")

        let badMissing = Self.validate("missing: skip")
        #expect(badMissing.first?.message.contains("must be one of `null`, `omit`, `error`") == true, "\(badMissing)")
    }

    /// Runs `fields` over `lines` twice: read as documents (file_input -> json_extract) and as
    /// parsed records (a pass-through transform in between). Returns both outputs and results.
    func bothPaths(_ lines: String, records: String, fields: String) async -> [(text: String?, outcome: WorkflowHarness.Outcome)] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-extract-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/in.ndjson", contents: Data(lines.utf8))
        var results: [(String?, WorkflowHarness.Outcome)] = []
        for parsed in [false, true] {
            let outcome = await WorkflowHarness.run("""
                nodes:
                  src: { type: file_input, path: in.ndjson }
                \(parsed ? #"  mid: { type: transform, input: src, filter: "$exists($)" }"# : "")
                  ex:
                    type: json_extract
                    input: \(parsed ? "mid" : "src")
                    records: \(records)
                \(fields)
                  out: { type: file_output, input: ex, path: out-\(parsed).ndjson }
                """, buckets: [], file: "\(dir)/w.yaml")
            results.append((try? String(contentsOfFile: "\(dir)/out-\(parsed).ndjson", encoding: .utf8), outcome))
        }
        return results
    }

    @Test func documentsGiveTheSameRecordsAsParsedValues() async {
        let lines = """
            {"products": [{"id": 1, "title": "A", "price": 9.5, "dimensions": {"width": 2}, "tags": ["x", "y"], "id": 7}, 3, null, {"t\\u0069tle": "esc", "tags": []}], "total": 4}
            {"products": []}
            {"other": 1}
            {"products": {"not": "an array"}}
            {"products": [{"id": "12", "price": "1.5", "dimensions": {"width": null}}]}

            """
        let runs = await bothPaths(lines, records: "$.products[*]", fields: """
                fields:
                  id: { path: $.id, type: int }
                  title: $.title
                  price: { path: $.price, type: double }
                  width: $.dimensions.width
                  last_tag: $.tags[-1]
                  first_tag: { path: "$.tags[0]", missing: omit }
                  whole_dims: $.dimensions
            """)
        #expect(runs[0].outcome.result?.status == .succeeded, "\(runs[0].outcome.result?.error ?? "\(runs[0].outcome.diagnostics)")")
        #expect(runs[0].text != nil && runs[0].text == runs[1].text)
        #expect(runs[0].text?.split(separator: "\n").count == 6)
        #expect(runs[0].text?.hasPrefix(#"{"id":7,"title":"A","price":9.5,"width":2,"last_tag":"y","first_tag":"x","whole_dims":{"width":2}}"#) == true)

        // Whole records are sent as their text (documents in, documents out): the repeated `id`
        // stays repeated there, and parses to the same record.
        let whole = await bothPaths(lines, records: "$.products[0]", fields: "")
        #expect(whole[0].text?.hasPrefix(#"{"id":1,"title":"A","#) == true, "\(whole[0].text ?? "")")
        #expect(whole[1].text?.hasPrefix(#"{"id":7,"title":"A","#) == true, "\(whole[1].text ?? "")")
        #expect(whole[0].text.map(Self.parsedLines) == whole[1].text.map(Self.parsedLines))

        let failing = await bothPaths(lines, records: "$.products[*]", fields: """
                fields:
                  width: { path: $.dimensions.width, missing: error }
            """)
        #expect(failing[0].outcome.result?.status == .failed)
        #expect(failing[0].outcome.node("ex")?.error == failing[1].outcome.node("ex")?.error)
        #expect(failing[0].outcome.node("ex")?.error?.contains("record 1, field \"width\"") == true, "\(failing[0].outcome.node("ex")?.error ?? "")")
    }

    static func parsedLines(_ text: String) -> [JSON] {
        text.split(separator: "\n").map { line in
            var bytes = Array(line.utf8)
            return (try? bytes.withUnsafeMutableBytes { try JSONParser.parse(UnsafeRawBufferPointer($0)) }) ?? "unparsable"
        }
    }

    @Test func isRegistered() {
        #expect(BuiltinNodes.registry.type(named: "json_extract") != nil)
    }
}
