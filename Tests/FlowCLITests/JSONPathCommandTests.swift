import Foundation
import Testing

/// `flow jsonpath`, run as the built binary.
@Suite struct JSONPathCommandTests {
    static let document = """
        {"products": [
          {"id": 1, "title": "Mascara", "price": 9.99, "tags": ["beauty"]},
          {"id": 2, "title": "Eye'shadow", "price": 19.99, "tags": []}
        ], "total": 2}
        """

    /// Writes `document` to a fresh file and returns its path.
    static func documentFile(_ text: String = document) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-jsonpath-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func printsTheNodelistAsOneCompactArray() throws {
        let file = try Self.documentFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = FlowBinary.run(["jsonpath", "$.products[*].id", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "[1,2]\n")
        #expect(result.stderr == "")

        let filtered = FlowBinary.run(["jsonpath", "$.products[?@.price < 10]", file])
        #expect(filtered.stdout == #"[{"id":1,"title":"Mascara","price":9.99,"tags":["beauty"]}]"# + "\n")
    }

    @Test func emptyNodelistIsAnEmptyArray() throws {
        let file = try Self.documentFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = FlowBinary.run(["jsonpath", "$.nothing", file])
        #expect(result.status == 0)
        #expect(result.stdout == "[]\n")
    }

    @Test func pathsPrintsNormalizedPaths() throws {
        let file = try Self.documentFile()
        defer { try? FileManager.default.removeItem(atPath: file) }
        let result = FlowBinary.run(["jsonpath", "--paths", "$..title", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"["$['products'][0]['title']","$['products'][1]['title']"]"# + "\n")
    }

    @Test func readsStandardInput() {
        let result = FlowBinary.run(["jsonpath", "$.products[1].title"], stdin: Self.document)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"["Eye'shadow"]"# + "\n")

        let dash = FlowBinary.run(["jsonpath", "$.total", "-"], stdin: Self.document)
        #expect(dash.stdout == "[2]\n")
    }

    @Test func prettyPutsOneNodePerLine() {
        let result = FlowBinary.run(["jsonpath", "--pretty", "$.products[*].tags"], stdin: Self.document)
        #expect(result.stdout == "[\n  [\"beauty\"],\n  []\n]\n")
    }

    @Test func invalidSelectorExitsOneWithACaret() {
        let result = FlowBinary.run(["jsonpath", "$.products[0,b"], stdin: Self.document)
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr == """
            flow: invalid JSONPath: expected a selector at position 13
              $.products[0,b
                           ^

            """)
    }

    @Test func invalidJSONExitsOneWithItsPosition() {
        let result = FlowBinary.run(["jsonpath", "$"], stdin: "{\"a\": [1,\n  ]}")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("flow: invalid JSON in standard input at line 2, column 3 (byte offset 12): "), "\(result.stderr)")
    }

    @Test func unreadableFileExitsOne() {
        let result = FlowBinary.run(["jsonpath", "$", "/nonexistent/flow-test.json"])
        #expect(result.status == 1)
        #expect(result.stderr == "flow: cannot read `/nonexistent/flow-test.json`: No such file or directory\n")
    }
}
