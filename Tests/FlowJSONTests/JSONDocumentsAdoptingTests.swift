import Testing
@testable import FlowJSON

/// `JSONDocuments(adopting:)` keeps a compact body instead of copying it; everything else about
/// the result must be what `append(validating:)` gives, and the scanner must never accept what
/// `JSONParser` rejects.
@Suite struct JSONDocumentsAdoptingTests {
    /// What validating `bytes` gave: the documents, or the error.
    struct Outcome: Equatable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        var extents: [Int] = []
        var extentEnds: [Int] = []
        var error: JSONParseError?

        init(_ documents: JSONDocuments) {
            bytes = documents.bytes
            ends = documents.ends
            extents = documents.extents
            extentEnds = documents.extentEnds
        }

        init(_ error: JSONParseError) { self.error = error }
    }

    func copied(_ bytes: [UInt8]) -> Outcome {
        var documents = JSONDocuments()
        let failure: JSONParseError? = bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) { try documents.append(validating: raw) } catch { return error }
            return nil
        }
        return failure.map(Outcome.init) ?? Outcome(documents)
    }

    /// Adopts a copy of `bytes`; `kept` is whether the documents kept its storage.
    func adopted(_ bytes: [UInt8]) -> (outcome: Outcome, kept: Bool) {
        // A copy of its own: trimming an array that shares its storage copies it.
        var text: [UInt8] = []
        text.append(contentsOf: bytes)
        let storage = text.withUnsafeBufferPointer { $0.baseAddress }
        do throws(JSONParseError) {
            let documents = try JSONDocuments(adopting: &text)
            let kept = text.isEmpty && documents.bytes.withUnsafeBufferPointer { $0.baseAddress } == storage
            if !kept { #expect(text == bytes, "text changed without being adopted") }
            return (Outcome(documents), kept)
        } catch {
            #expect(text == bytes, "text changed by a failed validation")
            return (Outcome(error), false)
        }
    }

    func parsed(_ bytes: [UInt8]) -> Result<JSON, JSONParseError> {
        Result { () throws(JSONParseError) -> JSON in try JSONParser.parse(bytes: bytes) }
    }

    /// Both scanner modes on `bytes`: accepted (copying), accepted in place, in place stopped
    /// for whitespace.
    func scanned(_ bytes: [UInt8]) -> (copying: Bool, inPlace: Bool, needsCompacting: Bool) {
        bytes.withUnsafeBufferPointer { b in
            var output = [UInt8](repeating: 0, count: b.count)
            let copying = output.withUnsafeMutableBufferPointer { out in
                var scanner = JSONScanner(b, output: out.baseAddress!)
                return scanner.validateDocument()
            }
            var inPlace = JSONScanner(validatingInPlace: b)
            let accepted = inPlace.validateDocument()
            return (copying, accepted, inPlace.needsCompacting)
        }
    }

    /// Checks every way of validating `bytes` against the parser and each other.
    func checkAgreement(_ bytes: [UInt8], _ label: @autoclosure () -> String) {
        let copy = copied(bytes)
        let (adopt, kept) = adopted(bytes)
        #expect(adopt == copy, "adopted and copied differ: \(label())")
        switch parsed(bytes) {
        case .success(let value):
            #expect(copy.error == nil, "rejected what the parser accepts: \(label())")
            if copy.error == nil {
                #expect((try? JSONParser.parse(bytes: copy.bytes)) == value, "\(label())")
                // Compact text (whitespace at most around it) is adopted, anything else copied.
                let trimmed = trim(bytes)
                #expect(kept == (copy.bytes == trimmed), "adopted \(kept), compact \(copy.bytes == trimmed): \(label())")
            }
        case .failure(let error):
            #expect(copy.error == error, "\(label())")
            #expect(!kept)
        }
        let scan = scanned(bytes)
        let parserAccepts = (try? parsed(bytes).get()) != nil
        if scan.copying { #expect(parserAccepts, "the scanner accepted what the parser rejects: \(label())") }
        if scan.inPlace { #expect(parserAccepts, "in place, the scanner accepted what the parser rejects: \(label())") }
        // Not required for correctness (the parser decides), but a scanner that rejects valid
        // text makes every such document slow.
        if parserAccepts { #expect(scan.copying, "the scanner rejected valid text: \(label())") }
        if scan.needsCompacting { #expect(!scan.inPlace) }
    }

    func trim(_ bytes: [UInt8]) -> [UInt8] {
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }) else { return [] }
        let last = bytes.lastIndex(where: { !isSpace($0) })!
        return Array(bytes[first...last])
    }

    @Test func compactTextIsAdoptedWithTheExtentsOfACopy() throws {
        var generator = SplitMix64(seed: 7)
        let page = Self.productPage(products: 12, using: &generator)
        var compact: [UInt8] = []
        page.write(to: &compact, pretty: false, indent: 0)
        var pretty: [UInt8] = []
        page.write(to: &pretty, pretty: true, indent: 0)
        #expect(pretty.contains(0x0A) && compact.count > 4000)
        let reference = copied(pretty)
        #expect(reference.error == nil && reference.bytes == compact && reference.extents.count > 20)
        let variants: [(String, [UInt8])] = [
            ("compact", compact), ("trailing newline", compact + [0x0A]), ("trailing CRLF", compact + [0x0D, 0x0A]),
            ("leading whitespace", [0x20, 0x09, 0x0A] + compact), ("both", [0x0A] + compact + [0x20, 0x0A]),
            ("pretty", pretty), ("pretty, newline", pretty + [0x0A]),
            ("one space inside", Array(compact.prefix(1)) + [0x20] + compact.dropFirst()),
            ("space before the last bracket", compact.dropLast() + [0x20, compact.last!]),
        ]
        for (name, bytes) in variants {
            let (adopt, kept) = adopted(bytes)
            #expect(adopt == reference, "\(name)")
            #expect(kept == (trim(bytes) == compact), "\(name)")
            checkAgreement(bytes, name)
        }
        // Small documents and scalars too.
        for text in ["{}", " [] ", "1\n", "\"a b\"", "[1, 2]", "{\"a\":[1,{\"b\":null}]}\n", "-0.5e+7", " true "] {
            checkAgreement(Array(text.utf8), text)
        }
    }

    @Test func adoptingAGivenArrayKeepsItsStorage() throws {
        var body = Array(#"{"a":[1,2,3],"b":"x y"}"#.utf8) + [0x0A]
        body.reserveCapacity(100)
        let storage = body.withUnsafeBufferPointer { $0.baseAddress }
        let documents = try JSONDocuments(adopting: &body)
        #expect(body.isEmpty)
        #expect(documents.bytes.withUnsafeBufferPointer { $0.baseAddress } == storage)
        #expect(String(decoding: documents.bytes, as: UTF8.self) == #"{"a":[1,2,3],"b":"x y"}"#)
        #expect(documents.count == 1)
        #expect(try documents.value(0) == JSONParser.parse(#"{"a":[1,2,3],"b":"x y"}"#))
    }

    @Test func hostileInputsAreRejectedExactlyWhenTheParserRejectsThem() {
        var texts = [
            "", " ", "\n", "{", "}", "[", "[1,]", "[,1]", "{\"a\" 1}", "{\"a\":1,}", "{\"a\":}", "{1:2}", "{\"a\":1 \"b\":2}",
            "01", "-01", "1.", "-", "-a", "1e", "1e+", "1E-", ".5", "+1", "0x1", "1.5.2", "00", "-0", "0e0", "1e999", "-1.0E+2",
            "tru", "truex", "nul", "nulll", "fals", "True", "NaN", "Infinity",
            "\"abc", "\"abc\\", "\"abc\\\"", "\"\\", "\"\\u", "\"\\u12", "\"\\u12G4\"", "\"\\x\"", "\"\\U0041\"",
            "\"\\ud800\"", "\"\\ud800\\u0041\"", "\"\\ud800\\ud800\"", "\"\\udc00x\"", "\"\\ud83d\\ude00\"", "\"\\ud83d\\",
            "\"\\ud83d\\u", "\"\\ud83d\\ude0\"", "\"\\/\\b\\f\\n\\r\\t\\\\\\\"\"",
            "\"a\u{01}b\"", "\"tab\there\"", "\"new\nline\"", "\"\u{7F}\"", "[1] [2]", "{} x", "'a'", "[1 2]", "[\"a\" \"b\"]",
            "[1,\n2 ]", " [ 1 ] ", "{\"a\":{\"b\":{\"c\":[1, 2]}}}",
        ]
        for depth in [JSONParser.maximumDepth - 1, JSONParser.maximumDepth, JSONParser.maximumDepth + 1] {
            texts.append(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
            texts.append(String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth))
            texts.append(String(repeating: "[", count: depth))
        }
        // Strings ending exactly at, or just before, the end of the buffer, at every length
        // around the scanner's eight- and sixteen-byte steps.
        for n in 0..<40 {
            let run = String(repeating: "a", count: n)
            texts += ["\"\(run)", "\"\(run)\"", "\"\(run)\\", "\"\(run)\\\"", "[\"\(run)\"]", "[\"\(run)\"", "\"\(run)\\u00\""]
        }
        for text in texts { checkAgreement(Array(text.utf8), text) }
        // Invalid UTF-8: lone continuation bytes, truncated sequences, overlong forms,
        // surrogates, code points past U+10FFFF; inside and outside strings, at the end.
        let sequences: [[UInt8]] = [
            [0x80], [0xBF], [0xC0, 0x80], [0xC1, 0xBF], [0xC3], [0xC3, 0x28], [0xE0, 0x80, 0x80], [0xE0, 0xA0],
            [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF], [0xF0, 0x90, 0x80, 0x80],
            [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xC3, 0xA9],
        ]
        for sequence in sequences {
            for padding in [0, 5, 17] {
                let pad = Array(repeating: UInt8(ascii: "x"), count: padding)
                checkAgreement([0x22] + pad + sequence + [0x22], "string with \(sequence), \(padding)")
                checkAgreement([0x22] + pad + sequence, "unterminated string with \(sequence), \(padding)")
                checkAgreement([0x5B] + sequence + [0x5D], "array with \(sequence)")
            }
        }
    }

    /// Product-like pages with one to three random mutations each: the scanner (both modes),
    /// `append(validating:)` and `JSONDocuments(adopting:)` agree with the parser on every one.
    @Test(arguments: 0..<4)
    func mutatedPagesAgreeWithTheParser(seed: UInt64) {
        var generator = SplitMix64(seed: 1000 + seed)
        let snippets: [[UInt8]] = [
            "\\u", "\\ud800", "\\udc00", "\\ud83d\\ude00", "\\x", "\\", "\"", "1e", "-", "01", "1.", "0.5e+", "[[[[", "]]",
            "{\"k\":", ",", ":", " ", "\n", "\t", "null", "tru", "\u{E9}", "\u{1F600}", "\\u00e9", "\\/",
        ].map { Array($0.utf8) } + [[0x00], [0x1F], [0x7F], [0x80], [0xC0], [0xC3], [0xE0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90], [0xFF]]
        let alphabet = Array("\"\\{}[],:0123456789-+.eEtrufalsnud \n\t\r".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xBF, 0xC3, 0xED, 0xF0, 0xF5]
        var accepted = 0
        for round in 0..<400 {
            let page = Self.productPage(products: 1 + Int(generator.next() % 3), using: &generator)
            var bytes: [UInt8] = []
            page.write(to: &bytes, pretty: generator.next() % 5 == 0, indent: 0)
            if generator.next() % 3 == 0 { bytes.append(0x0A) }
            for _ in 0...(generator.next() % 3) where !bytes.isEmpty {
                let at = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 6 {
                case 0: bytes[at] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.insert(contentsOf: snippets[Int(generator.next() % UInt64(snippets.count))], at: at)
                case 2: bytes.remove(at: at)
                case 3: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(generator.next() % 20)))
                case 4: bytes.removeSubrange(at...)
                default:
                    let length = min(bytes.count - at, 1 + Int(generator.next() % 40))
                    bytes.insert(contentsOf: bytes[at..<(at + length)], at: at)
                }
            }
            if (try? parsed(bytes).get()) != nil { accepted += 1 }
            checkAgreement(bytes, "seed \(seed), round \(round): \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
        // Some mutations leave valid JSON (a changed digit, a space): both outcomes are covered.
        #expect(accepted > 20 && accepted < 380)
    }

    /// A page shaped like the products benchmark's (and dummyjson's): short keys, numbers of
    /// every form, strings with escapes and non-ASCII text, nested objects and arrays.
    static func productPage(products: Int, using generator: inout SplitMix64) -> JSON {
        func pick<T>(_ items: [T]) -> T { items[Int(generator.next() % UInt64(items.count))] }
        func words(_ n: Int) -> String {
            (0..<n).map { _ in pick(["easy", "caf\u{E9}", "quality", "\u{1F600}", "tab\tbed", "quote\"d", "back\\slash", "\u{1}", "plain"]) }
                .joined(separator: " ")
        }
        func number() -> JSON {
            switch generator.next() % 5 {
            case 0: return .int(Int(generator.next() % 100_000))
            case 1: return .int(-Int(generator.next() % 100))
            case 2: return .double(Double(generator.next() % 100_000) / 100)
            case 3: return .double(-Double(generator.next() % 1000) * 1e-7)
            default: return .int(0)
            }
        }
        var items: [JSON] = []
        for id in 0..<products {
            var reviews: [JSON] = []
            for _ in 0..<Int(generator.next() % 4) {
                reviews.append(["rating": number(), "comment": .string(words(3)), "date": "2025-04-30T09:41:02.053Z",
                                "reviewerEmail": "a.b@x.com", "verified": .bool(generator.next() % 2 == 0)])
            }
            items.append([
                "id": .int(id), "title": .string(words(4)), "description": .string(words(Int(generator.next() % 30))),
                "price": number(), "discountPercentage": number(), "stock": number(), "tags": .array([.string(words(1)), "x"]),
                "brand": generator.next() % 4 == 0 ? .null : .string(words(2)),
                "dimensions": ["width": number(), "height": number(), "depth": number()], "reviews": .array(reviews),
                "meta": ["empty": [:], "list": [], "nested": [["a": [[], [[]]]]]],
            ])
        }
        return ["products": .array(items), "total": .int(products), "skip": 0, "limit": 1000]
    }
}

/// A small seeded generator, so that a failing round can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
