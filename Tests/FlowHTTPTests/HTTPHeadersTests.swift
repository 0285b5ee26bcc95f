import Testing

@testable import FlowHTTP

/// Ordered, duplicate-keeping, case-insensitive header list.
@Suite struct HTTPHeadersTests {
    @Test func lookupIsCaseInsensitiveAndKeepsOrder() {
        var headers: HTTPHeaders = ["Accept": "a", "X-Id": "1", "accept": "b"]
        #expect(headers["ACCEPT"] == "a")
        #expect(headers.values(for: "accept") == ["a", "b"])
        #expect(headers.contains(name: "x-id"))
        #expect(headers["missing"] == nil)
        headers.replaceOrAdd(name: "Accept", value: "c")
        #expect(headers.map(\.name) == ["X-Id", "Accept"])
        headers.remove(name: "x-ID")
        #expect(headers.count == 1)
        #expect(HTTPHeaders([("A", "1")]) == ["A": "1"])
        #expect(HTTPHeaders([("A", "1")]) != ["a": "1"])
    }

    @Test func trimming() {
        #expect(" value \r\n".trimmingSpaces == "value")
        #expect("\t\r\n".trimmingSpaces == "")
        #expect("a\r\nb".containsLineBreak)
        #expect(!"ab".containsLineBreak)
    }
}
