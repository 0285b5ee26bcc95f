import Testing
@testable import FlowJSON

@Suite struct JSONParserTests {
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
        #expect(value.objectValue?.keys == ["b", "a", "c"])
        #expect(value.serialized() == #"{"b":1,"a":2,"c":{"z":0,"y":1}}"#)
    }

    @Test func repeatedKeyKeepsFirstPositionLastValue() throws {
        let value = try JSONParser.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(value.serialized() == #"{"a":3,"b":2}"#)
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
}
