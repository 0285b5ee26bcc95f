import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import FlowJSON

@Suite struct JSONParserTests {
    /// Doubles are written as `description` writes them, byte for byte: the short decimals written
    /// from their count of hundredths or millionths, and everything around them.
    @Test func writesDoublesAsDescriptionDoes() {
        var values: [Double] = [0.5, -0.5, 0.001, 0.0011, 0.0001, 0.00015, 1444.62, 0.1, 0.2, 0.30000000000000004, 1e14 + 0.5,
                                999_999_999_999_999.9, 1e15 - 0.25, 1e15 + 0.5, 123456.789012, 5.0, -0.0, 1e16, 1.7976931348623157e308,
                                4.9e-324, 2.675, 1.005, 0.07, 8.5e-7, 12.000001, 12.0000001]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let decimals = Int.random(in: 0...8, using: &generator)
            let units = Int64.random(in: -10_000_000_000..<10_000_000_000, using: &generator)
            var scale = 1.0
            for _ in 0..<decimals { scale *= 10 }
            values.append(Double(units) / scale)
            values.append(Double(bitPattern: UInt64.random(in: 0..<UInt64.max, using: &generator)))
            values.append(Double.random(in: -1000...1000, using: &generator))
        }
        for value in values where value.isFinite {
            var bytes: [UInt8] = []
            JSON.write(double: value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == value.description, "\(value.description)")
        }
    }

    /// Decimals are read as strtod reads them, bit for bit: prices and rates through the exact fast
    /// path, and the cases beside it (17+ digits, exponents past 22, subnormals, halfway values).
    @Test func readsDecimalsAsStrtodDoes() throws {
        var texts = ["0.1", "0.2", "0.3", "1708.28", "15.34", "-0.0", "-0.5", "9007199254740993.0", "9007199254740992.5",
                     "1e22", "1e23", "1.5e-22", "1e-23", "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308",
                     "123456789012345678901234567890.5", "0.000000000000000000000000000001", "1E+5", "1e-0", "5e0",
                     "0.30000000000000004", "2.675", "1.005", "8.5e-7", "179.99999999999997"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let integer = String(UInt64.random(in: 0..<100_000_000, using: &generator))
            let fraction = String(UInt64.random(in: 0..<10_000_000_000, using: &generator)).prefix(Int.random(in: 1...10))
            var text = (Bool.random() ? "-" : "") + integer + "." + fraction
            if Int.random(in: 0..<4) == 0 { text += "e" + String(Int.random(in: -30...30)) }
            texts.append(text)
        }
        for text in texts {
            let expected = strtod(text, nil)
            guard case .double(let d) = try JSONParser.parse(text) else {
                Issue.record("\(text): not a double")
                continue
            }
            #expect(d.bitPattern == expected.bitPattern, "\(text): \(d) against strtod's \(expected)")
        }
    }

    @Test func parsesScalarsKeepingIntegerAndDoubleApart() throws {
        #expect(try JSONParser.parse("1") == .int(1))
        if case .double(let d) = try JSONParser.parse("1.0") { #expect(d == 1.0) } else { Issue.record("expected double") }
        #expect(try JSONParser.parse("-9223372036854775808") == .int(Int.min))
        if case .double = try JSONParser.parse("9223372036854775808") {} else { Issue.record("overflow must be double") }
        #expect(try JSONParser.parse(" true ") == .bool(true))
        #expect(try JSONParser.parse("null") == .null)
        #expect(try JSONParser.parse("1e3") == .double(1000))
    }

    @Test func keepsObjectKeyOrder() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
        #expect(value.objectValue.map { Array($0.keys) } == ["b", "a", "c"])
        #expect(value.serialized() == #"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
    }

    @Test func repeatedKeyKeepsFirstPositionLastValue() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test func repeatedKeyIsFoundWhateverItsSpellingOrTheObjectSize() throws {
        // The same key escaped and unescaped is one key.
        #expect(try JSONParser.parse(#"{"ab":1,"x":0,"\u0061b":2}"#).serialized() == #"{"ab":2,"x":0}"#)
        // Enough keys to fill the parser's hash filter, then every key again, and past the index threshold.
        for count in [10, 40, 130] {
            let first = (0..<count).map { "\"key\($0)\":\($0)" }
            let again = (0..<count).map { "\"key\($0)\":\($0 + 1000)" }
            let object = try #require(try JSONParser.parse("{" + (first + again).joined(separator: ",") + "}").objectValue)
            #expect(object.count == count)
            #expect(Array(object.keys) == (0..<count).map { "key\($0)" })
            #expect(Array(object.values) == (0..<count).map { JSON.int($0 + 1000) })
        }
    }

    @Test func serializerEscapesAnywhereInLongStrings() throws {
        for length in 0..<20 {
            for special in ["\"", "\\", "\n", "\u{1}", "\u{1F}", "é"] {
                let text = String(repeating: "a", count: length) + special + String(repeating: "b", count: 20 - length)
                let serialized = JSON.string(text).serialized()
                #expect(try JSONParser.parse(serialized) == .string(text))
                if special == "\u{1}" { #expect(serialized.contains("\\u0001")) }
                if special == "\u{1F}" { #expect(serialized.contains("\\u001f")) }
            }
        }
        #expect(JSON.string("\u{7F}~ ").serialized() == "\"\u{7F}~ \"")
    }

    @Test func decodesEscapes() throws {
        let value = try JSONParser.parse(#""a\"b\\c\n\u00e9\ud83d\ude00""#)
        #expect(value == .string("a\"b\\c\né😀"))
        #expect(value.serialized() == #""a\"b\\c\né😀""#)
    }

    @Test func largeObjectsStayConsistent() throws {
        var object = JSONObject()
        for i in 0..<100 { object["k\(i)"] = .int(i) }
        #expect(object["k77"] == .int(77))
        object.removeValue(forKey: "k10")
        #expect(object["k77"] == .int(77))
        #expect(object["k10"] == nil)
        let renamed = object.renameKey("k20", to: "twenty")
        #expect(renamed)
        #expect(object["twenty"] == .int(20))
        #expect(object.keys[19] == "twenty")
    }

    @Test(arguments: [
        ("{\"a\":1,}", 7, 1, 8),
        ("[1,2", 4, 1, 5),
        ("{\n  \"a\": tru\n}", 9, 2, 8),
        ("01", 0, 1, 1),
        ("\"abc", 0, 1, 1),
        ("1 2", 2, 1, 3),
    ])
    func reportsErrorPositions(text: String, offset: Int, line: Int, column: Int) {
        do {
            _ = try JSONParser.parse(text)
            Issue.record("expected an error for \(text)")
        } catch {
            #expect(error.offset == offset)
            #expect(error.line == line)
            #expect(error.column == column)
        }
    }

    @Test func rejectsDeepNesting() {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func numbersCompareByValue() {
        #expect(JSON.int(2) == JSON.double(2.0))
        #expect(JSON.object(["a": 1, "b": 2]) == JSON.object(["b": 2, "a": 1]))
        #expect(JSON.double(0.1).serialized() == "0.1")
        #expect(JSON.double(.nan).serialized() == "null")
    }

    /// `plainDouble` (jdbc_output's binary COPY reads doubles with it): bit for bit what the parser
    /// reads, or nil where that shortcut does not apply.
    @Test func plainDoublesReadAsTheParserReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = ["0", "-0", "0.0", "-0.0", "1708.28", "9007199254740993", "1234567890123456", "0.000000000000001",
                     "999999999999999.9", "-12345678901234.5", "1e5", "12345678901234567", "0.1234567890123456"]
        for _ in 0..<100_000 {
            let integer = String(UInt64.random(in: 0..<UInt64(1) << UInt64.random(in: 1...60, using: &generator), using: &generator))
            let fraction = Bool.random(using: &generator) ? "" : "." + String((0..<Int.random(in: 1...12, using: &generator)).map { _ in
                Character(String(Int.random(in: 0...9, using: &generator)))
            })
            texts.append((Bool.random(using: &generator) ? "-" : "") + integer + fraction)
        }
        var fast = 0
        for text in texts {
            let bytes = Array(text.utf8)
            let parsed: Double
            switch try JSONParser.parse(text) {
            case .int(let i): parsed = Double(i)
            case .double(let d): parsed = d
            default: Issue.record("\(text) is not a number"); continue
            }
            bytes.withUnsafeBufferPointer { buffer in
                let value = JSONScanner.plainDouble(JSONText(bytes: buffer, extents: UnsafeBufferPointer(start: nil, count: 0)), 0..<buffer.count)
                if let value {
                    fast += 1
                    if value.bitPattern != parsed.bitPattern { Issue.record("\(text): \(value) but the parser reads \(parsed)") }
                }
            }
        }
        #expect(fast > texts.count / 2)
        Array("1e5".utf8).withUnsafeBufferPointer { buffer in
            #expect(JSONScanner.plainDouble(JSONText(bytes: buffer, extents: UnsafeBufferPointer(start: nil, count: 0)), 0..<3) == nil)
        }
    }
}
