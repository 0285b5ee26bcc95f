import Foundation
import Testing

@testable import FlowHTTP

/// Methods, headers and bodies reach the server and come back intact.
@Suite struct RequestResponseTests {
    let server: FixtureServer
    let client = HTTPClient()

    init() throws { server = try FixtureServer.http.get() }

    @Test func getSendsHeadersAndQuery() async throws {
        let request = HTTPRequest(
            url: server.url("/echo?a=1&b=two"),
            headers: ["X-Flow": "yes", "X-Multi": "one", "X-Multi": "two", "X-Empty": ""])
        let response = try await client.execute(request)
        #expect(response.status == 200)
        #expect(response.httpVersion == .http1_1)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["CONTENT-TYPE"] == "application/json")
        let echo = try Echo(response.body)
        #expect(echo.method == "GET")
        #expect(echo.path == "/echo")
        #expect(echo.query == "a=1&b=two")
        #expect(echo.header("X-Flow") == "yes")
        #expect(echo.headers.filter { $0.0 == "X-Multi" }.map(\.1) == ["one", "two"])
        #expect(echo.header("X-Empty") == "")
        #expect(echo.header("User-Agent") == "flow")
        #expect(echo.header("Accept-Encoding")?.contains("gzip") == true)
    }

    @Test func postSendsBinaryBody() async throws {
        let body: [UInt8] = Array(0...255) + Array("héllo".utf8)
        let request = HTTPRequest(
            method: "POST", url: server.url("/echo"),
            headers: ["Content-Type": "application/octet-stream"], body: body)
        let echo = try Echo(try await client.execute(request).body)
        #expect(echo.method == "POST")
        #expect(echo.bodyBytes == body)
        #expect(echo.header("Content-Type") == "application/octet-stream")
        #expect(echo.header("Content-Length") == "\(body.count)")
        #expect(echo.header("Expect") == nil)
    }

    @Test(arguments: ["PUT", "PATCH", "DELETE"])
    func otherMethodsWithBody(method: String) async throws {
        let request = HTTPRequest(
            method: method, url: server.url("/echo"), headers: ["Content-Type": "application/json"],
            body: Array(#"{"x":1}"#.utf8))
        let echo = try Echo(try await client.execute(request).body)
        #expect(echo.method == method)
        #expect(echo.body == #"{"x":1}"#)
    }

    @Test func deleteWithoutBodyAndEmptyPost() async throws {
        let deleted = try Echo(try await client.execute(HTTPRequest(method: "DELETE", url: server.url("/echo"))).body)
        #expect(deleted.method == "DELETE")
        let posted = try Echo(try await client.execute(HTTPRequest(method: "POST", url: server.url("/echo"), body: [])).body)
        #expect(posted.method == "POST")
        #expect(posted.header("Content-Length") == "0")
    }

    @Test func headHasNoBody() async throws {
        let response = try await client.execute(HTTPRequest(method: "HEAD", url: server.url("/json")))
        #expect(response.status == 200)
        #expect(response.body.isEmpty)
        #expect(response.headers["Content-Length"] != nil)
    }

    @Test func errorStatusIsAResponse() async throws {
        let response = try await client.execute(HTTPRequest(url: server.url("/status/503?header=X-Why:maintenance")))
        #expect(response.status == 503)
        #expect(!response.isSuccess)
        #expect(response.isRetryableStatus)
        #expect(response.headers["x-why"] == "maintenance")
    }

    @Test func retryAfterHeader() async throws {
        let url = server.url("/retry-after/1?key=\(UUID().uuidString)")
        let first = try await client.execute(HTTPRequest(url: url))
        #expect(first.status == 429)
        #expect(first.retryAfter == .seconds(1))
        let second = try await client.execute(HTTPRequest(url: url))
        #expect(second.status == 200)
        #expect(second.retryAfter == nil)
    }

    @Test func redirectsAreFollowed() async throws {
        let response = try await client.execute(HTTPRequest(url: server.url("/redirect/3")))
        #expect(response.status == 200)
        #expect(response.effectiveURL == server.url("/echo"))
        #expect(response.headers.values(for: "Location").isEmpty)  // only the last response's headers

        let unfollowed = try await client.execute(HTTPRequest(url: server.url("/redirect/1"), followRedirects: false))
        #expect(unfollowed.status == 302)
        #expect(unfollowed.headers["location"] == "/echo")
    }

    @Test func gzipIsDecoded() async throws {
        let response = try await client.execute(HTTPRequest(url: server.url("/gzip")))
        #expect(response.headers["Content-Encoding"] == "gzip")
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        #expect(object?["compressed"] as? Bool == true)
    }

    @Test func linkHeaderAndMalformedBodyArePassedThrough() async throws {
        let page = try await client.execute(HTTPRequest(url: server.url("/link-pages/2?page=1")))
        #expect(page.headers["Link"] == #"</link-pages/2?page=2>; rel="next""#)
        let malformed = try await client.execute(HTTPRequest(url: server.url("/malformed")))
        #expect(malformed.status == 200)
        #expect(String(decoding: malformed.body, as: UTF8.self).hasPrefix(#"{"items""#))
    }

    @Test func headerLinesAreTrimmedAndUnfolded() async throws {
        let response = try await HTTPClient().execute(HTTPRequest(url: server.url("/raw-headers")))
        #expect(response.status == 200)
        #expect(response.headers["X-Padded"] == "padded value")
        #expect(response.headers["X-Url"] == "http://h/x?a=1")
        #expect(response.headers["x-folded"]?.split(separator: " ") == ["one", "two"])
        #expect(response.headers.values(for: "Content-Length") == ["2"])
    }
}
