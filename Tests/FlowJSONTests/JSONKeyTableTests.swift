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

    /// The walk that predicts keys from the previous object gives what scanning and looking up
    /// each key gives, whatever the objects: same keys in the same order, keys that are prefixes
    /// of each other, escaped quotes and backslashes, escapes spelling a name, reordered,
    /// missing and extra members, nested objects, keys that share their first or last eight bytes.
    @Test func predictedWalkFindsWhatScanningFinds() throws {
        let pool = [#"id"#, #"title"#, #"titles"#, #"tit"#, #"a\"b"#, #"a\\"#, #"a\\\"x"#, #"t\u0069tle"#,
                    #"availabilityStatus"#, #"availabilityStatuses"#, #"availabilityStatu"#, #"discountPercentage"#, #""#,
                    #"x"#, #"é"#, #"key_with_a_long_name_number_one"#, #"key_with_a_long_name_number_two"#,
                    // Keys of nine to sixteen bytes that share their first eight, or their last.
                    #"category_x"#, #"category_y"#, #"subcategory_x"#, #"subcategory_y"#, #"category1234567"#, #"category7654321"#]
        let names = [#"id"#, #"title"#, #"a\"b"#, #"availabilityStatus"#, #"discountPercentage"#, #""#,
                     "key_with_a_long_name_number_two", "category_x", "category1234567"].map { name -> [UInt8] in
            // Names as decoded text: `a"b` for the escaped key.
            guard case .string(let decoded) = try! JSONParser.parse("\"" + name + "\"") else { return [] }
            return Array(decoded.utf8)
        }
        var generator = SystemRandomNumberGenerator()
        var lines: [String] = []
        let shape = Array(pool.shuffled(using: &generator).prefix(8))
        for r in 0..<400 {
            var keys = shape
            switch r % 5 {
            case 1: keys.shuffle(using: &generator)
            case 2: keys.removeLast(Int.random(in: 0...3, using: &generator))
            case 3: keys.append(pool.randomElement(using: &generator)!)
            case 4: keys = Array(pool.shuffled(using: &generator).prefix(Int.random(in: 0...10, using: &generator)))
            default: break
            }
            let members = keys.enumerated().map { k, key in
                let value = k % 3 == 0 ? #"{"\#(key)":[1,"\""]}"# : (k % 3 == 1 ? #""v\"\#(r)""# : "\(r).5")
                return "\"" + key + "\":" + value
            }
            lines.append("{" + members.joined(separator: ",") + "}")
        }
        // Each key where the last record had another of the same length, with the same first (or
        // last) eight bytes, or both and a different middle.
        lines += [#"{"category_x":1,"category1234567":2,"id":3}"#, #"{"category_y":1,"category7654321":2,"id":3}"#,
                  #"{"category_x":1,"category1234567":2,"id":3}"#, #"{"id":1,"subcategory_x":2}"#, #"{"id":1,"subcategory_y":2}"#,
                  #"{"id":1,"title":2}"#, #"{"é":1,"titlf":2}"#,
                  #"{"key_with_a_long_name_number_two":1}"#, #"{"key_with_a_song_name_number_two":1}"#]
        var documents = JSONDocuments()
        for line in lines {
            var bytes = Array(line.utf8)
            try bytes.withUnsafeMutableBytes { try documents.append(validating: UnsafeRawBufferPointer($0)) }
        }
        var table = JSONKeyTable()
        documents.forEachDocument { d, text in
            var expected: [String] = []
            JSONScanner.forEachMember(text, object: 0..<text.count) { key, value in
                let name = names.firstIndex { JSONScanner.key(text, key, equals: $0) } ?? -1
                expected.append("\(key) \(name) \(value)")
                return true
            }
            var walked: [String] = []
            table.forEachMember(text, object: 0..<text.count, among: names) { key, name, value in
                walked.append("\(key) \(name) \(value)")
                return true
            }
            #expect(walked == expected, "record \(d): \(lines[d])")
            // Stopped early, by the walk's fast path or its general one: the members up to the stop.
            let stop = Int.random(in: 0...expected.count, using: &generator)
            var prefix: [String] = []
            table.forEachMember(text, object: 0..<text.count, among: names) { key, name, value in
                prefix.append("\(key) \(name) \(value)")
                return prefix.count <= stop
            }
            #expect(prefix == Array(expected.prefix(stop + 1)), "record \(d), stopped after \(stop + 1): \(lines[d])")
            return true
        }
    }
}
