import Testing

@testable import JSONPath

/// The well-typedness rules of RFC 9535 §2.4.3, checked when a query is compiled.
@Suite struct FilterTypeTests {
    @Test(arguments: [
        "$[?length(@.a) == 1]",
        "$[?length(value(@..a)) > 0]",
        "$[?count(@.*) == 2]",
        "$[?count(@..x) >= count($.y[*])]",
        "$[?match(@.a, 'a.*')]",
        "$[?!search(@, $.pattern)]",
        "$[?value(@..b) == 'x']",
        "$[?@.a]",
        "$[?@.*]",
        "$[?$..x]",
        "$[?(@.a == 1 || @.b) && !(@.c < 2)]",
        "$[?1 == 1]",
        "$[?@ == null]",
    ])
    func acceptsWellTypedExpressions(_ text: String) {
        #expect(throws: Never.self) { try JSONPathQuery(text) }
    }

    @Test(arguments: [
        ("$[?length(@.a)]", 3),  // ValueType result used as a test
        ("$[?count(@.*)]", 3),
        ("$[?value(@.a)]", 3),
        ("$[?match(@.a, 'x') == true]", 3),  // LogicalType result compared
        ("$[?@.* == 1]", 3),  // non-singular query compared
        ("$[?1 == @..a]", 8),
        ("$[?length(@.*) == 1]", 10),  // non-singular query as a ValueType argument
        ("$[?count(1) == 1]", 9),  // literal as a NodesType argument
        ("$[?count(@.a == 1) == 1]", 9),
        ("$[?length(@.a == 1) == 1]", 10),  // logical expression as a ValueType argument
        ("$[?match(@.a) == 1]", 3),  // wrong arity
        ("$[?1]", 3),  // literal as a test
        ("$[?true && @.a]", 3),
    ])
    func rejectsIllTypedExpressions(_ text: String, _ offset: Int) throws {
        do {
            _ = try JSONPathQuery(text)
            Issue.record("\(text) should not compile")
        } catch {
            #expect(error.kind == .type, "\(text): \(error)")
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }
}
