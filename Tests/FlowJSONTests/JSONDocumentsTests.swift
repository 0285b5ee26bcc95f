import Testing
@testable import FlowJSON

@Suite struct JSONDocumentsTests {
    /// A random compact value: small containers (no recorded end), strings holding brackets,
    /// quotes and backslashes, numbers and literals of every length.
    static func randomValue(_ depth: Int, _ random: inout some RandomNumberGenerator) -> String {
        let scalars = ["1", "-0.5", "12345678901234567890", "1e-7", "true", "false", "null", #""""#, #""}]""#, #""\"[{""#,
                       #""\\""#, #""a\\\"b]""#, #""é{""#]
        guard depth > 0, Int.random(in: 0..<3, using: &random) != 0 else { return scalars.randomElement(using: &random)! }
        let count = Int.random(in: 0...4, using: &random)
        if Bool.random(using: &random) {
            return "[" + (0..<count).map { _ in randomValue(depth - 1, &random) }.joined(separator: ",") + "]"
        }
        return "{" + (0..<count).map { k in #""k\#(k)]":"# + randomValue(depth - 1, &random) }.joined(separator: ",") + "}"
    }

    /// Skipping a value finds its end wherever it sits relative to sixteen-byte probes.
    @Test func skipValueFindsTheEndOfEveryValue() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Self.randomValue(4, &random)
            for padding in 0..<17 {
                // The value as an array element after `padding` bytes of another, then more.
                let before = padding == 0 ? "" : #""\#(String(repeating: "x", count: padding))","#
                let text = "[" + before + value + ",0]"
                var documents = JSONDocuments()
                var bytes = Array(text.utf8)
                try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
                documents.withDocument(0) { text in
                    let start = 1 + before.utf8.count
                    #expect(JSONScanner.skipValue(text, from: start) == start + value.utf8.count, "\(value) after \(padding)")
                }
            }
        }
    }

    func documents(_ texts: [String]) throws -> JSONDocuments {
        var documents = JSONDocuments()
        for text in texts {
            var bytes = Array(text.utf8)
            try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        }
        return documents
    }

    func text(_ documents: JSONDocuments, _ i: Int) -> String {
        documents.withDocument(i) { String(decoding: $0.bytes, as: UTF8.self) }
    }

    @Test func keepsTheTextWithoutInsignificantWhitespace() throws {
        let docs = try documents([
            #"  { "a" : [1, 2.50, -0e+1] ,"b":"x y\n\"z\"" , "c": { } , "d" : [ ] }  "#,
            "\t\"caf\u{E9} \\u00e9 \\ud83d\\ude00\"\r\n",
            "true", "null", "-12",
        ])
        #expect(docs.count == 5)
        #expect(text(docs, 0) == #"{"a":[1,2.50,-0e+1],"b":"x y\n\"z\"","c":{},"d":[]}"#)
        #expect(text(docs, 1) == "\"caf\u{E9} \\u00e9 \\ud83d\\ude00\"")
        #expect(text(docs, 2) == "true")
        #expect(text(docs, 4) == "-12")
        #expect(try docs.value(1) == .string("café é 😀"))
        #expect(try docs.values() == [
            try JSONParser.parse(#"{"a":[1,2.5,-0.0],"b":"x y\n\"z\"","c":{},"d":[]}"#), .string("café é 😀"), .bool(true), .null,
            .int(-12),
        ])
    }

    @Test func longStringsWithEveryKindOfByte() throws {
        // Exercise the eight-bytes-at-a-time scan around quotes, escapes and multi-byte characters.
        var pieces: [String] = []
        for n in 0..<40 {
            let filler = String(repeating: "abcdefg", count: n / 7) + String(repeating: "é", count: n % 5)
            pieces.append("\"\(filler)\\\"\(filler)\\n\(filler)\"")
        }
        let docs = try documents(pieces)
        for (i, piece) in pieces.enumerated() {
            #expect(text(docs, i) == piece)
            #expect(try docs.value(i) == JSONParser.parse(piece))
        }
        // Skipping over the same strings as object members lands on every member.
        let object = "{" + pieces.enumerated().map { "\"\($0.offset)\($0.element.dropFirst()):[\($0.offset),\($0.element)]" }.joined(separator: ",") + "}"
        let parsed = try JSONParser.parse(object)
        let one = try documents([object])
        var values: [JSON] = []
        try one.withDocument(0) { text in
            JSONScanner.forEachMember(text, object: 0..<text.count) { _, value in
                values.append(try! JSONScanner.parse(text, value))
                return true
            }
        }
        #expect(values == parsed.objectValue.map { Array($0.values) })
    }

    @Test func rejectsWhatTheParserRejectsWithItsError() throws {
        let bad = [
            "", "   ", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "nul", "\"abc",
            "\"a\u{01}b\"", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00x\"", "[1] [2]", "{} x", "'a'",
            String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        ]
        for text in bad {
            var bytes = Array(text.utf8)
            var documents = JSONDocuments()
            let expected = #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
            let got = #expect(throws: JSONParseError.self) {
                try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
            }
            #expect(got == expected, "\(text.prefix(20))")
            #expect(documents.isEmpty && documents.bytes.isEmpty)
        }
        // Invalid UTF-8 inside a string.
        var invalid: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        var documents = JSONDocuments()
        #expect(throws: JSONParseError.self) {
            try invalid.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        }
    }

    @Test func acceptsTheDeepestNestingTheParserAccepts() throws {
        let deepest = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        let docs = try documents([deepest])
        #expect(text(docs, 0) == deepest)
    }

    @Test func navigatesCompactDocuments() throws {
        let docs = try documents([#"{"a":{"b":[10,"x,]}",{"c":null}]},"a\"q":2,"d":true}"#])
        try docs.withDocument(0) { text in
            var keys: [String] = []
            JSONScanner.forEachMember(text, object: 0..<text.count) { key, value in
                keys.append(String(decoding: UnsafeBufferPointer(rebasing: text[key]), as: UTF8.self)
                    + "=" + String(decoding: UnsafeBufferPointer(rebasing: text[value]), as: UTF8.self))
                return true
            }
            #expect(keys == [#"a={"b":[10,"x,]}",{"c":null}]}"#, #"a\"q=2"#, "d=true"])
            var elements: [JSON] = []
            var a = 0..<0
            JSONScanner.forEachMember(text, object: 0..<text.count) { _, value in a = value; return false }
            JSONScanner.forEachMember(text, object: a) { _, value in
                JSONScanner.forEachElement(text, array: value) { element in
                    elements.append(try! JSONScanner.parse(text, element))
                    return true
                }
                return true
            }
            #expect(elements == [.int(10), .string("x,]}"), ["c": .null]])
        }
    }

    @Test func largeContainersAreSkippedByTheirRecordedEnds() throws {
        let item = #"{"id":1,"text":"\#(String(repeating: "long text, ", count: 12))","nested":{"list":[\#(Array(repeating: "\"[x]\"", count: 30).joined(separator: ","))]},"small":{"a":[1]}}"#
        let big = #"{"items":[\#(Array(repeating: item, count: 5).joined(separator: ", "))], "total": 5}"#
        let docs = try documents(["[1,2]", big, "{}"])
        #expect(docs.extentEnds.count == 3)
        #expect(docs.extentEnds[0] == 0)
        #expect(docs.extentEnds[1] > 0)
        docs.withDocument(1) { text in
            let bare = [Int]().withUnsafeBufferPointer { JSONText(bytes: text.bytes, extents: $0) }
            var checked = 0
            var found: [Int: Int?] = [:]
            for i in 0..<text.count where text[i] == UInt8(ascii: "{") || text[i] == UInt8(ascii: "[") {
                found[i] = text.extentEnd(startingAt: i)
                // Only positions that start a value (not brackets inside strings) have extents.
                guard let end = found[i]! else { continue }
                #expect(JSONScanner.skipValue(bare, from: i) == end)
                checked += 1
            }
            #expect(checked == 1 + 1 + 5 + 5 + 5)  // document, items, each item, its nested, its list
            // Lookups going backwards or jumping around (the lookup keeps a hint of where the
            // last one ended) find the same ends.
            let positions = found.keys.sorted()
            for i in positions.reversed() { #expect(text.extentEnd(startingAt: i) == found[i]!) }
            var generator = SystemRandomNumberGenerator()
            for i in positions.shuffled(using: &generator) { #expect(text.extentEnd(startingAt: i) == found[i]!) }
        }
    }

    @Test func stringsDecodeAsTheParserDecodesThem() throws {
        let strings = [
            #""""#, #""plain""#, #""a\"b\\c\/d""#, #""\b\f\n\r\t""#, #""caf\u00e9 \u00E9""#,
            #""\ud83d\ude00 and \u20ac""#, #""\u0000 nul""#, #""é raw, 😀 raw""#,
            "\"" + String(repeating: "long run ", count: 10) + "\\n end\"",
        ]
        let docs = try documents(strings)
        for (i, string) in strings.enumerated() {
            var bytes: [UInt8] = []
            docs.withDocument(i) { text in
                JSONScanner.forEachUnescaped(text, string: 0..<text.count, run: { bytes.append(contentsOf: $0) }) {
                    bytes.append(contentsOf: Array(String(Unicode.Scalar($0)!).utf8))
                }
            }
            #expect(try JSON.string(String(decoding: bytes, as: UTF8.self)) == JSONParser.parse(string), "\(string)")
        }
    }
}
