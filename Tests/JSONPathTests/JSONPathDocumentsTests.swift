import FlowJSON
import Testing
@testable import JSONPath

/// Plain queries answered on document bytes must select exactly what `select` selects on the
/// parsed document.
@Suite struct JSONPathDocumentsTests {
    let documents = [
        #"{"products":[{"id":1,"title":"a","dimensions":{"width":2.5},"tags":["x","y"]},{"id":2,"tags":[]},7,null],"total":3}"#,
        #"{"a":{"b":{"c":[[1,2],[3,[4,5]]]}},"a b":1,"\u0061x":2,"dup":1,"dup":{"z":9}}"#,
        #"[[1,2,3],{"k":"v"},"s",[],{}]"#,
        #""just a string""#,
        #"{"empty":{},"list":[],"nested":[{"n":[{"m":1},{"m":2}]},{"n":[]},{"n":[{"m":3}]}]}"#,
        // Large enough for recorded container ends (128 bytes and more).
        #"{"products":["# + Array(repeating: #"{"id":9,"title":"\#(String(repeating: "t", count: 150))","tags":["\#(String(repeating: "x", count: 130))"],"dimensions":{"width":1}}"#, count: 4).joined(separator: ",") + #"],"total":4,"a":{"b":{"c":[[1,2],[3,[4,5]]]}}}"#,
    ]
    let queries = [
        "$", "$.products", "$.products[*]", "$.products[*].id", "$.products[0].dimensions.width", "$.products[-1]",
        "$.products[-4].tags[1]", "$.products[9]", "$.total", "$.missing", "$.a.b.c[1][1][0]", "$['a b']", "$.ax",
        "$.dup", "$.dup.z", "$[*]", "$[*][*]", "$[0][-1]", "$[1].k", "$[-5][2]", "$.empty", "$.empty[*]", "$.list[*]",
        "$.nested[*].n[*].m", "$.nested[*].n[0]", "$[*].k",
    ]

    @Test func selectsWhatSelectSelects() throws {
        for document in documents {
            var documents = JSONDocuments()
            var bytes = Array(document.utf8)
            try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
            let parsed = try JSONParser.parse(document)
            for text in queries {
                let query = try JSONPathQuery(text)
                #expect(query.plainSteps != nil, "\(text)")
                let fromBytes: [JSON]? = try documents.withDocument(0) { text in
                    try query.selectRanges(in: text, root: 0..<text.count)?.map { try JSONScanner.parse(text, $0) }
                }
                guard let fromBytes else {
                    // Only a wildcard over a non-empty object asks for parsing.
                    #expect(text.contains("*"), "\(text) on \(document)")
                    continue
                }
                #expect(fromBytes == query.select(parsed), "\(text) on \(document)")
                let first: [JSON]? = try documents.withDocument(0) { text in
                    try query.selectRanges(in: text, root: 0..<text.count, limit: 1)?.map { try JSONScanner.parse(text, $0) }
                }
                #expect(first == Array(query.select(parsed).prefix(1)), "\(text) on \(document)")
            }
        }
    }

    @Test func onlyPlainQueriesHaveSteps() throws {
        #expect(try JSONPathQuery("$.a[*].b[0]").plainSteps == [.name("a"), .wildcard, .name("b"), .index(0)])
        for text in ["$..a", "$.a[?@.b]", "$.a[0:2]", "$.a[0,1]", "$['a','b']"] {
            #expect(try JSONPathQuery(text).plainSteps == nil, "\(text)")
        }
    }
}
