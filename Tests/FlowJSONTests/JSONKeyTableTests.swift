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
}
