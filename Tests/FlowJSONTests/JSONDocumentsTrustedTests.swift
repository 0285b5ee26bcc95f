import Testing
@testable import FlowJSON

/// Documents built from ranges of validated documents (`append(trusted:range:)`, `appendPart`) keep
/// the bytes and get the extents validation would record for the same text.
@Suite struct JSONDocumentsTrustedTests {
    static let long = String(repeating: "x", count: 140)
    /// Large containers at several depths, next to small ones, strings with escapes and brackets.
    static let source = #"""
        {"a": 1, "big": {"inner": [1, 2, {"deep": "\#(long)"}], "s": "q\"[{\\\u00e9\n"}, "small": [1, {"b": 2}],
         "list": [{"t": "\#(long)"}, "\#(long)", [[["\#(long)"]]]], "n": -0.50e+2, "e": {}, "z": []}
        """#

    func validated(_ text: [UInt8]) throws -> JSONDocuments {
        var documents = JSONDocuments()
        var bytes = text
        try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        return documents
    }

    /// Every value of the document at `range`, containers first, then their members and elements.
    func values(_ text: JSONText, _ range: Range<Int>, into out: inout [Range<Int>]) {
        out.append(range)
        JSONScanner.forEachMember(text, object: range) { _, value in
            values(text, value, into: &out)
            return true
        }
        JSONScanner.forEachElement(text, array: range) { element in
            values(text, element, into: &out)
            return true
        }
    }

    @Test func aTrustedRangeGetsTheExtentsValidationGives() throws {
        let source = try validated(Array(Self.source.utf8))
        #expect(source.extents.count >= 10)
        try source.withDocument(0) { text in
            var ranges: [Range<Int>] = []
            values(text, 0..<text.count, into: &ranges)
            #expect(ranges.count > 20)
            var copies = JSONDocuments()
            for range in ranges { copies.append(trusted: text, range: range) }
            #expect(copies.count == ranges.count)
            for (i, range) in ranges.enumerated() {
                let expected = try validated(Array(text[range]))
                #expect(copies.withDocument(i) { Array($0.bytes) } == Array(text[range]))
                #expect(copies.withDocument(i) { Array($0.extents) } == Array(expected.extents), "value \(i)")
                #expect(try copies.value(i) == expected.value(0))
            }
        }
    }

    @Test func aDocumentBuiltFromPartsGetsTheExtentsValidationGives() throws {
        let source = try validated(Array(Self.source.utf8))
        var built = JSONDocuments()
        var expectedText: [UInt8] = []
        try source.withDocument(0) { text in
            var ranges: [Range<Int>] = []
            values(text, 0..<text.count, into: &ranges)
            // Two documents: an object of every value, and an array of the small ones.
            for (n, picked) in [ranges, ranges.filter { $0.count < 128 }].enumerated() {
                var composed: [UInt8] = []
                built.appendPart(n == 0 ? UInt8(ascii: "{") : UInt8(ascii: "["))
                for (k, range) in picked.enumerated() {
                    let prefix = Array(((k == 0 ? "" : ",") + (n == 0 ? "\"v\(k)\":" : "")).utf8)
                    built.appendPart(prefix)
                    built.appendPart(trusted: text, range: range)
                    composed += prefix + Array(text[range])
                }
                built.appendPart(n == 0 ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                built.endDocument()
                if n == 0 { expectedText = (Array("{".utf8) + composed + Array("}".utf8)) }
            }
        }
        #expect(built.count == 2)
        let expected = try validated(expectedText)
        #expect(built.withDocument(0) { Array($0.bytes) } == expectedText)
        #expect(built.withDocument(0) { Array($0.extents) } == Array(expected.extents))
        #expect(try built.value(0) == expected.value(0))
        let small = try validated(built.withDocument(1) { Array($0.bytes) })
        #expect(built.withDocument(1) { Array($0.extents) } == Array(small.extents))
    }

    @Test func partsFollowValidatedDocuments() throws {
        var documents = try validated(Array(#"[1, "\#(Self.long)"]"#.utf8))
        documents.appendPart(Array("[true,null]".utf8))
        documents.endDocument()
        #expect(documents.count == 2)
        #expect(try documents.values() == [[1, .string(Self.long)], [true, nil]])
        #expect(documents.withDocument(1) { $0.extents.isEmpty })
    }
}
