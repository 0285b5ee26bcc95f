import FlowJSON
import Testing

@testable import JSONPath

@Suite struct NormalizedPathTests {
    @Test func printsNamesAndIndices() {
        #expect(NormalizedPath().description == "$")
        #expect(NormalizedPath([.name("a"), .index(0), .name("b c")]).description == "$['a'][0]['b c']")
    }

    @Test(arguments: [
        ("'", #"$['\'']"#),
        ("\\", #"$['\\']"#),
        ("\"", #"$['"']"#),
        ("\u{08}\u{0C}\n\r\t", #"$['\b\f\n\r\t']"#),
        ("\u{00}\u{07}\u{0B}\u{0E}\u{1F}", #"$['\u0000\u0007\u000b\u000e\u001f']"#),
        ("\u{7F}é😀/", "$['\u{7F}é😀/']"),
    ])
    func escapesNamesAsRFC9535Requires(_ name: String, _ expected: String) {
        #expect(NormalizedPath([.name(name)]).description == expected)
    }

    @Test func locatesDescendantsInDocumentOrder() throws {
        let document = try JSONParser.parse(#"{"o": {"j": 1, "k'": [2, {"l": 3}]}}"#)
        let located = try JSONPathQuery("$..*").selectLocated(document)
        #expect(located.map(\.path.description) == [
            "$['o']", "$['o']['j']", "$['o']['k\\'']", "$['o']['k\\''][0]", "$['o']['k\\''][1]",
            "$['o']['k\\''][1]['l']",
        ])
        #expect(located[1].path.elements == [.name("o"), .name("j")])
    }

    @Test func pathsUseNonNegativeIndices() throws {
        let located = try JSONPathQuery("$[-1, -3:]").selectLocated([10, 20, 30])
        #expect(located.map(\.path.description) == ["$[2]", "$[0]", "$[1]", "$[2]"])
        #expect(located.map(\.value) == [30, 10, 20, 30])
    }
}
