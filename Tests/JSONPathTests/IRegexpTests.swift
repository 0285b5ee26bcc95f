import Testing

@testable import JSONPath

/// I-Regexp (RFC 9485) as used by `match()` and `search()`.
@Suite struct IRegexpTests {
    @Test(arguments: [
        "", "a", "a|b|", "(ab)*c+d?", "a{2}", "a{2,}", "a{2,3}", "[a-z0-9_]", "[^\\n\\r]", "[-a]", "[a-]",
        "\\p{Lu}\\P{L}\\p{Nd}", "[\\p{L}\\-.]", "\\.\\\\\\[\\]\\{\\}\\(\\)\\|\\*\\+\\?\\^\\-", "é😀", ".*bc$",
    ])
    func acceptsIRegexps(_ pattern: String) {
        #expect(IRegexp(pattern) != nil, "\(pattern)")
    }

    @Test(arguments: [
        "(", ")", "[", "]", "{", "}", "*a", "a**", "a{3,2}", "a{,2}", "[]", "[^]", "[z-a]", "[a-b-c]", "[--a]",
        "\\d", "\\w", "\\s", "\\b", "\\1", "(?:a)", "(?=a)", "\\p{Foo}", "\\p{IsBasicLatin}", "[[a]]", "\\", "^*",
    ])
    func rejectsWhatIsNotAnIRegexp(_ pattern: String) {
        #expect(IRegexp(pattern) == nil, "\(pattern)")
    }

    @Test func dotMatchesAnyScalarButLineEnds() throws {
        let dot = try #require(IRegexp("."))
        #expect(dot.matchesWhole("a"))
        #expect(dot.matchesWhole("😀"))
        #expect(dot.matchesWhole("\u{2028}"))
        #expect(!dot.matchesWhole("\n"))
        #expect(!dot.matchesWhole("\r"))
        // Scalars, not grapheme clusters: "é" written as e + U+0301 is two.
        #expect(!dot.matchesWhole("e\u{301}"))
        #expect(try #require(IRegexp("..")).matchesWhole("e\u{301}"))
    }

    @Test func matchIsAnchoredAndSearchIsNot() throws {
        let pattern = try #require(IRegexp("b+"))
        #expect(pattern.matchesWhole("bbb"))
        #expect(!pattern.matchesWhole("abbbc"))
        #expect(pattern.matchesPart("abbbc"))
        #expect(!pattern.matchesPart("ac"))
    }

    @Test func metacharactersInClassesAreLiteral() throws {
        let pattern = try #require(IRegexp("a[.b]c"))
        #expect(pattern.matchesWhole("a.c"))
        #expect(!pattern.matchesWhole("axc"))
    }

    @Test func categoryEscapes() throws {
        let upper = try #require(IRegexp("\\p{Lu}+"))
        #expect(upper.matchesWhole("ÀB"))
        #expect(!upper.matchesWhole("Ab"))
        let notLetter = try #require(IRegexp("[^\\p{L}]"))
        #expect(notLetter.matchesWhole("1"))
        #expect(!notLetter.matchesWhole("x"))
    }

    @Test func cacheKeepsCanonicallyEquivalentPatternsApart() throws {
        let precomposed = try #require(IRegexp.cached("\u{E9}"))
        let decomposed = try #require(IRegexp.cached("e\u{301}"))
        #expect(precomposed.matchesWhole("\u{E9}"))
        #expect(!precomposed.matchesWhole("e\u{301}"))
        #expect(decomposed.matchesWhole("e\u{301}"))
        #expect(!decomposed.matchesWhole("\u{E9}"))
    }

    @Test func invalidPatternsMakeTheFunctionFalse() throws {
        let document: JSON = ["a", "(", "ab"]
        #expect(try JSONPathQuery("$[?match(@, '(')]").select(document).isEmpty)
        #expect(try JSONPathQuery("$[?!search(@, '\\\\d')]").select(document) == document.arrayValue!)
        #expect(try JSONPathQuery("$[?search(@, $[1])]").select(document).isEmpty)
        #expect(try JSONPathQuery("$[?search(@, $[0])]").select(document) == ["a", "ab"])
    }
}

import FlowJSON
