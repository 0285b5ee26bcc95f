import Testing

@testable import JSONPath

@Suite struct JSONPathErrorTests {
    /// Compiles `text`, returning the error it must raise.
    private func compileError(_ text: String) -> JSONPathError? {
        do {
            _ = try JSONPathQuery(text)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("", "expected '$' at position 0", "'$'"),
        ("$[0", "expected ']' at position 3", "']'"),
        ("$.a[?@.b", "expected ']' at position 8", "']'"),
        ("$[0 1]", "expected ',' or ']' at position 4", "',' or ']'"),
        ("$[0,", "expected a selector at position 4", "a selector"),
        ("$.", "expected '*' or a member name at position 2", "'*' or a member name"),
        ("$.1", "expected '*' or a member name at position 2", "'*' or a member name"),
        ("$..", "expected '[', '*' or a member name at position 3", "'[', '*' or a member name"),
        (
            "$a", "expected '.', '..', '[' or the end of the query at position 1",
            "'.', '..', '[' or the end of the query"
        ),
        ("$['a]", #"expected "'" at position 5"#, #""'""#),
        ("$[?(@.a]", "expected ')' at position 7", "')'"),
        ("$[?@.a==]", "expected a literal, query or function call at position 8", "a literal, query or function call"),
        ("$[?@.a==1.]", "expected a digit after '.' at position 10", "a digit after '.'"),
    ])
    func reportsWhatWasExpectedAndWhere(_ text: String, _ description: String, _ expected: String) throws {
        let error = try #require(compileError(text))
        #expect(error.description == description)
        #expect(error.expected == expected)
        #expect(error.kind == .syntax)
    }

    @Test(arguments: [
        (" $", 0, "leading whitespace is not allowed"),
        ("$.a ", 3, "trailing whitespace is not allowed"),
        ("$[01]", 2, "leading zeros are not allowed"),
        ("$[-0]", 2, "'-0' is not a valid integer"),
        ("$[?@.a==01]", 8, "leading zeros are not allowed"),
        ("$['\\q']", 3, "invalid escape sequence '\\q'"),
        ("$[\"\\'\"]", 3, "invalid escape sequence '\\''"),
        ("$['\\uD800']", 3, "high surrogate must be followed by '\\u' and a low surrogate"),
        ("$['\\uDC00']", 3, "lone low surrogate"),
        ("$['\u{01}']", 3, "control character U+0001 must be escaped"),
        ("$[?length (@)==1]", 9, "no whitespace is allowed between a function name and '('"),
        ("$[?!@.a==1]", 3, "a comparison cannot be negated without parentheses: use '!(...)'"),
    ])
    func reportsSyntaxErrors(_ text: String, _ offset: Int, _ message: String) throws {
        let error = try #require(compileError(text))
        #expect(error.offset == offset)
        #expect(error.message == message)
        #expect(error.kind == .syntax)
    }

    @Test func rejectsIntegersOutsideIJSONRange() throws {
        #expect(compileError("$[9007199254740991]") == nil)
        #expect(compileError("$[-9007199254740991]") == nil)
        #expect(compileError("$[0:9007199254740991:-9007199254740991]") == nil)
        let outside = [
            "$[9007199254740992]", "$[-9007199254740992]", "$[1:99999999999999999999]", "$[::9007199254740992]",
        ]
        for text in outside {
            let error = try #require(compileError(text))
            #expect(error.kind == .outOfRange, "\(text)")
        }
        #expect(compileError("$[1:99999999999999999999]")?.offset == 4)
    }

    @Test func reportsUnknownFunctions() throws {
        let error = try #require(compileError("$[?foo(@)]"))
        #expect(error.kind == .unknownFunction)
        #expect(error.description == "unknown function 'foo' at position 3")
    }

    @Test func offsetsCountUnicodeScalars() throws {
        let error = try #require(compileError("$.é😀["))
        #expect(error.offset == 5)
    }
}
