import Testing
@testable import FlowJSON

/// The compact-text fast path (CJSONScan's 64-byte block validator, with AVX2 and with SSE2 only)
/// against the byte loop it stands in for and against `JSONParser`: same answer, same extents,
/// same bytes, on texts built to put every kind of token across a block edge, and on random ones.
@Suite struct JSONCompactValidationTests {
    /// What one way of validating gave.
    struct Scan: Equatable {
        var accepted = false
        var start = 0
        var end = 0
        var extents: [Int] = []
        var needsCompacting = false
        var output: [UInt8] = []
    }

    /// `validateDocument` in place or copying, with the fast path (AVX2 or SSE2 only) or without.
    func scan(_ bytes: [UInt8], fast: Bool, sse2: Bool = false, copying: Bool) -> Scan {
        bytes.withUnsafeBufferPointer { b in
            var result = Scan()
            var output = [UInt8](repeating: 0, count: b.count)
            output.withUnsafeMutableBufferPointer { out in
                var scanner = copying ? JSONScanner(b, output: out.baseAddress!) : JSONScanner(validatingInPlace: b)
                scanner.triesCompactPath = fast
                scanner.compactSSE2Only = sse2
                result.accepted = scanner.validateDocument()
                result.needsCompacting = scanner.needsCompacting
                if result.accepted {
                    result.start = scanner.documentStart
                    result.end = scanner.written
                    result.extents = scanner.extents
                }
            }
            if result.accepted && copying { result.output = Array(output[0..<result.end]) }
            return result
        }
    }

    /// Whether the fast path alone accepts `bytes`.
    func fastAccepts(_ bytes: [UInt8], sse2: Bool) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var scanner = JSONScanner(validatingInPlace: b)
            scanner.compactSSE2Only = sse2
            return scanner.validateCompact()
        }
    }

    func check(_ bytes: [UInt8], _ label: @autoclosure () -> String) {
        let parserAccepts = (try? JSONParser.parse(bytes: bytes)) != nil
        for copying in [false, true] {
            let reference = scan(bytes, fast: false, copying: copying)
            if reference.accepted { #expect(parserAccepts, "byte loop accepted what the parser rejects: \(label())") }
            for sse2 in [false, true] {
                let fast = scan(bytes, fast: true, sse2: sse2, copying: copying)
                #expect(fast == reference, "copying \(copying), sse2 \(sse2): \(label())")
            }
        }
        // The fast path is taken for every compact text the byte loop accepts in place, and only
        // for those.
        let inPlace = scan(bytes, fast: false, copying: false)
        for sse2 in [false, true] {
            #expect(fastAccepts(bytes, sse2: sse2) == inPlace.accepted, "fast path, sse2 \(sse2): \(label())")
        }
    }

    static let strings: [String] = {
        var bodies = [
            "", "a", "a b", #"a\"b"#, #"\/\b\f\n\r\t"#, #"\u00e9"#, #"\u00E9x"#, #"\ud83d\ude00"#, #"\uD83D\uDE00\u0041"#,
            #"\ud800"#, #"\udc00"#, #"\ud800\u0041"#, #"\ud800\ud800"#, #"\ud83d\ude0"#, #"\u12G4"#, #"\x"#, #"\U0041"#,
            "caf\u{E9} \u{20AC} \u{1F600}", "\u{1}", "tab\there", "new\nline", "\u{7F}", "{[:,]}", "\\u",
        ]
        // Backslash runs before a quote: even runs end the string, odd ones escape the quote.
        for run in 0...6 { bodies.append(String(repeating: "\\", count: run)) }
        for run in 0...3 { bodies.append(String(repeating: "\\", count: 2 * run + 1) + "\"") }
        return bodies
    }()

    static let values = [
        "0", "-0", "7", "-12.5e+3", "1E5", "0.25", "-0.0E-0", "123456789012345678901234567890", "true", "false", "null",
        "01", "-01", "1.", "1e", "1e+", ".5", "+1", "-", "0x1", "1.5.2", "tru", "truex", "nul", "nulll", "fals", "True",
        "[]", "{}", "[1,2]", "[1,[2,[3]]]", #"{"a":1}"#, #"{"a":{"b":[]}}"#, "[1,]", "[,1]", #"{"a"}"#, #"{"a":1,}"#,
        #"{"a"::1}"#, #"{"a",1}"#, "[1:2]", #"["a":1]"#, "[1 2]", " 1", "1 ", "[1,,2]", "{,}", "[{}{}]", "[]]", "[[]",
    ]

    /// Every string and value starting at every offset across the first two block edges, as a
    /// member value, an array element, a key and the whole text.
    @Test func tokensAcrossBlockEdges() {
        var texts: [String] = []
        for string in Self.strings {
            texts.append("\"" + string + "\"")
            texts.append("[\"" + string + "\",\"" + string + "\"]")
            texts.append("{\"" + string + "\":\"" + string + "\"}")
        }
        for value in Self.values {
            texts.append(value)
            texts.append("[" + value + "," + value + "]")
            texts.append("{\"k\":" + value + ",\"l\":[" + value + "]}")
        }
        for shift in 0..<140 {
            let pad = String(repeating: "x", count: shift)
            for text in texts {
                check(Array(("{\"p\":\"" + pad + "\",\"v\":" + text + "}").utf8), "shift \(shift): \(text)")
            }
        }
        // Texts of every length around the block size, ending in every kind of token.
        for length in 0..<200 {
            let digits = String(repeating: "1", count: length)
            let letters = String(repeating: "a", count: length)
            for text in [digits, "[" + digits + "]", "\"" + letters + "\"", "\"" + letters, "[\"" + letters + "\"]",
                         "\"" + letters + "\\\"", "[" + String(repeating: "0,", count: length / 2) + "0]", "-" + digits,
                         digits + ".5", "[" + letters + "]", "{\"" + letters + "\":true}", "[" + String(repeating: "[", count: length / 2)] {
                check(Array(text.utf8), "length \(length): \(text)")
            }
        }
    }

    /// Nesting up to the parser's limit, with the brackets at every offset of a block.
    @Test func nestingAtTheLimit() {
        for depth in [JSONParser.maximumDepth - 1, JSONParser.maximumDepth, JSONParser.maximumDepth + 1] {
            for shift in [0, 1, 31, 63] {
                let pad = String(repeating: "x", count: shift)
                for text in [String(repeating: "[", count: depth) + "\"\(pad)\"" + String(repeating: "]", count: depth),
                             String(repeating: "{\"\(pad)\":", count: depth) + "1" + String(repeating: "}", count: depth),
                             String(repeating: "[{\"a\":", count: depth / 2) + "[]" + String(repeating: "}]", count: depth / 2)] {
                    check(Array(text.utf8), "depth \(depth), shift \(shift)")
                }
            }
        }
    }

    /// Non-ASCII bytes: valid and invalid UTF-8 inside strings (checked after the fast path) and
    /// outside them.
    @Test func utf8AcrossBlockEdges() {
        let sequences: [[UInt8]] = [
            [0xC3, 0xA9], [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0x80], [0xC0, 0x80], [0xC3], [0xE0, 0x80, 0x80],
            [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xEF, 0xBF, 0xBF],
        ]
        for sequence in sequences {
            for shift in 56..<72 {
                let pad = Array(repeating: UInt8(ascii: "x"), count: shift)
                check(Array("[\"".utf8) + pad + sequence + Array("\",1]".utf8), "\(sequence) at \(shift)")
                check(Array("[\"".utf8) + pad + Array("\",".utf8) + sequence + Array("]".utf8), "\(sequence) outside at \(shift)")
            }
        }
    }

    /// Random short texts over JSON's punctuation, and random valid values with one byte changed.
    @Test(arguments: 0..<3)
    func randomTextsAgree(seed: UInt64) {
        var generator = SplitMix64(seed: 77 + seed)
        let alphabet = Array("\"\\{}[],:0123456789-+.eEtrufalsnu ax".utf8) + [0x00, 0x1F, 0x80, 0xC3, 0xA9]
        for round in 0..<3000 {
            var bytes = (0..<Int(generator.next() % 24)).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
            if round % 2 == 1 {
                let page = JSONDocumentsAdoptingTests.productPage(products: 1, using: &generator)
                bytes = []
                page.write(to: &bytes, pretty: false, indent: 0)
                let at = Int(generator.next() % UInt64(bytes.count))
                bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            check(bytes, "seed \(seed), round \(round): \(String(decoding: bytes.prefix(120), as: UTF8.self))")
        }
    }

    /// Compact product-like pages with a few random edits: the fast path agrees with the byte
    /// loop (answer, extents, bytes) and with the parser.
    @Test(arguments: 0..<4)
    func mutatedCompactPagesAgree(seed: UInt64) {
        var generator = SplitMix64(seed: 500 + seed)
        let snippets: [[UInt8]] = [
            "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\x", "\\", "\\\\", "\\\\\\\"", "\"", "1e", "-", "01", "1.",
            "[[[[", "]]", "{\"k\":", ",", ":", " ", "null", "tru", "\u{E9}", "\u{1F600}", "\\u00e9", "\\/", "{}", "[]",
        ].map { Array($0.utf8) } + [[0x00], [0x1F], [0x80], [0xC3], [0xED, 0xA0, 0x80]]
        let alphabet = Array("\"\\{}[],:0123456789-+.eEtrufalsnud ".utf8) + [0x00, 0x1F, 0x80, 0xC3]
        var accepted = 0
        for round in 0..<300 {
            let page = JSONDocumentsAdoptingTests.productPage(products: 1 + Int(generator.next() % 4), using: &generator)
            var bytes: [UInt8] = []
            page.write(to: &bytes, pretty: false, indent: 0)
            for _ in 0..<(generator.next() % 3) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 5 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(contentsOf: snippets[Int(generator.next() % UInt64(snippets.count))], at: at)
                case 2: bytes.remove(at: at)
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(generator.next() % 20)))
                default:
                    let length = min(bytes.count - at, 1 + Int(generator.next() % 40))
                    bytes.insert(contentsOf: bytes[at..<(at + length)], at: at)
                }
            }
            if fastAccepts(bytes, sse2: false) { accepted += 1 }
            check(bytes, "seed \(seed), round \(round)")
        }
        // Unedited pages and harmless edits are taken by the fast path; the rest are not.
        #expect(accepted > 50 && accepted < 290)
    }
}
