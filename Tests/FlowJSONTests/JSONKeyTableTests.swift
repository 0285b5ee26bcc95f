import Testing
@testable import FlowJSON

@Suite struct JSONKeyTableTests {
    /// An object with `count` members `"k0"`, `"k1"`... plus an empty and an escaped key.
    func keys(_ count: Int) throws -> (JSONDocuments, [Range<Int>]) {
        var members = (0..<count).map { #""k\#($0)":\#($0)"# }
        members += [#""":-1"#, #""k\u0031":-2"#]
        var documents = JSONDocuments()
        var bytes = Array(("{" + members.joined(separator: ",") + "}").utf8)
        try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        var ranges: [Range<Int>] = []
        documents.withDocument(0) { text in
            JSONScanner.forEachMember(text, object: 0..<text.count) { key, _ in
                ranges.append(key)
                return true
            }
        }
        return (documents, ranges)
    }

    @Test func findsWhatWasStoredByTheKeysBytes() throws {
        let (documents, ranges) = try keys(100)
        var table = JSONKeyTable()
        documents.withDocument(0) { text in
            for (i, key) in ranges.enumerated() where i % 2 == 0 { table.insert(text, key, value: i) }
            for (i, key) in ranges.enumerated() {
                #expect(table.value(text, key) == (i % 2 == 0 ? i : nil), "key \(i)")
            }
        }
    }

    @Test func stopsLearningAtItsLimit() throws {
        let (documents, ranges) = try keys(300)
        var table = JSONKeyTable()
        documents.withDocument(0) { text in
            for (i, key) in ranges.enumerated() { table.insert(text, key, value: i) }
            let known = ranges.indices.filter { table.value(text, ranges[$0]) == $0 }
            #expect(known == Array(0..<JSONKeyTable.limit))
        }
    }

    /// Keys of every length up to 30 that differ from each other in one byte (first, middle or
    /// last), and short keys at the very end of a document, where a word load would run past it.
    @Test func tellsApartKeysThatDifferInOneByte() throws {
        var keys: [String] = []
        for length in 1...30 {
            let plain = String(repeating: "a", count: length)
            keys.append(plain)
            for position in Set([0, length / 2, length - 1]) {
                var bytes = Array(plain.utf8)
                bytes[position] = UInt8(ascii: "b")
                keys.append(String(decoding: bytes, as: UTF8.self))
            }
        }
        keys += ["", "x", "y"]
        let text = "{" + keys.enumerated().map { #""\#($1)":\#($0)"# }.joined(separator: ",") + "}"
        var documents = JSONDocuments()
        var bytes = Array(text.utf8)
        try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        documents.withDocument(0) { text in
            var ranges: [Range<Int>] = []
            JSONScanner.forEachMember(text, object: 0..<text.count) { key, _ in
                ranges.append(key)
                return true
            }
            #expect(ranges.count == keys.count)
            var table = JSONKeyTable()
            for (i, key) in ranges.enumerated() where i % 3 != 1 { table.insert(text, key, value: i) }
            for (i, key) in ranges.enumerated() {
                #expect(table.value(text, key) == (i % 3 != 1 ? i : nil), "key \(keys[i].debugDescription)")
            }
            // Every name found, by position, as nodes look keys up.
            let names = keys.map { Array($0.utf8) }
            var positions = JSONKeyTable()
            for _ in 0..<2 {
                for (i, key) in ranges.enumerated() {
                    #expect(positions.position(of: key, in: text, among: names) == i, "key \(keys[i].debugDescription)")
                }
            }
        }
    }
}
