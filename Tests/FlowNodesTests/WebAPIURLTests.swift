import Testing

@testable import FlowNodes

/// The URL helpers and the rate limiter of `webapi`, without I/O.
@Suite struct WebAPIURLTests {
    @Test(arguments: [
        (#"<https://api.example.com/items?page=2>; rel="next", <https://api.example.com/items?page=9>; rel="last""#, "https://api.example.com/items?page=2"),
        (#"<https://x.example/a?p=1>; rel="prev", <https://x.example/a?p=3>; rel="next""#, "https://x.example/a?p=3"),
        (#"</items?cursor=a,b>; title="x, y"; rel="next""#, "/items?cursor=a,b"),
        (#"<https://x.example/a>; rel="last""#, nil),
        (#"<https://x.example/a>; rel="prefetch next""#, "https://x.example/a"),
    ])
    func linkHeader(value: String, next: String?) {
        #expect(WebURL.nextLink(in: [value]) == next)
    }

    @Test func relativeReferences() {
        let base = "https://api.example.com/v1/items?page=1"
        #expect(WebURL.resolve("https://other.example/x", against: base) == "https://other.example/x")
        #expect(WebURL.resolve("/v2/items?page=2", against: base) == "https://api.example.com/v2/items?page=2")
        #expect(WebURL.resolve("?page=2", against: base) == "https://api.example.com/v1/items?page=2")
        #expect(WebURL.resolve("more?page=2", against: base) == "https://api.example.com/v1/more?page=2")
        #expect(WebURL.resolve("//cdn.example/x", against: base) == "https://cdn.example/x")
        #expect(WebURL.resolve("p2.json", against: "file:///data/p1.json") == "file:///data/p2.json")
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(WebURL.percentEncode("AZaz09-._~") == "AZaz09-._~")
        #expect(WebURL.percentEncode("a b&c=d/e?f#g%") == "a%20b%26c%3Dd%2Fe%3Ff%23g%25")
        #expect(WebURL.percentEncode("é✓") == "%C3%A9%E2%9C%93")
        #expect(WebURL.percentEncode("") == "")
        #expect(WebURL.percentDecode(WebURL.percentEncode("x y+é")) == "x y+é")
    }

    @Test func queryParameters() {
        #expect(WebURL.appending([("q", "a b/c"), ("n", "1")], to: "http://h/x") == "http://h/x?q=a%20b%2Fc&n=1")
        #expect(WebURL.appending([("n", "1")], to: "http://h/x?a=1#frag") == "http://h/x?a=1&n=1#frag")
        #expect(WebURL.appending([("offset", "20")], to: "http://h/x?offset=10&a=1", replacing: ["offset"]) == "http://h/x?a=1&offset=20")
        #expect(WebURL.appending([("n", "1")], to: "http://h/x?") == "http://h/x?n=1")
        #expect(WebURL.appending([("n", "1")], to: "http://h/x?a=1&") == "http://h/x?a=1&n=1")
        #expect(WebURL.appending([("page", "2"), ("per_page", "5")], to: "http://h/x?page=1#top", replacing: ["page", "per_page"])
                == "http://h/x?page=2&per_page=5#top")
        #expect(WebURL.appending([], to: "http://h/x?a=1") == "http://h/x?a=1")
    }

    @Test func fileURLs() {
        #expect(WebURL.resolveFile("file:data/p.json", directory: "/srv/wf") == "file:///srv/wf/data/p.json")
        #expect(WebURL.resolveFile("file:///abs/p.json", directory: "/srv/wf") == "file:///abs/p.json")
        #expect(WebURL.resolveFile("https://h/x", directory: "/srv/wf") == "https://h/x")
    }

    @Test func base64() {
        #expect(Base64.encode(Array("aladdin:open sesame".utf8)) == "YWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        #expect(Base64.encode(Array("ab".utf8)) == "YWI=")
        #expect(Base64.encode([]) == "")
    }

    @Test func rateLimiterHandsOutEvenlySpacedSlots() {
        let limiter = RateLimiter(perSecond: 4)
        let now = ContinuousClock.now
        let slots = (0..<4).map { _ in limiter.reserve(now: now) }
        #expect(slots.map { $0 - now } == [.zero, .milliseconds(250), .milliseconds(500), .milliseconds(750)])
        // After an idle second, the next request goes at once.
        #expect(limiter.reserve(now: now + .seconds(2)) == now + .seconds(2))
    }

    @Test func statusSets() {
        var set = StatusSet()
        #expect(set.accepts(204) && !set.accepts(404))
        #expect(set.add(404) && set.add("5xx") && set.add("300-302") && !set.add("6xx") && !set.add("abc"))
        #expect(set.accepts(404) && set.accepts(503) && set.accepts(301) && !set.accepts(403))
    }
}
