import Testing

@testable import FlowHTTP

/// Sequential requests to one host share a kept-alive connection from the multi handle's cache.
@Suite struct ConnectionReuseTests {
    let server: FixtureServer

    init() throws { server = try FixtureServer.http.get() }

    @Test func sequentialRequestsReuseOneConnection() async throws {
        let client = HTTPClient()
        var ports = Set<Int>()
        let (_, elapsed) = try await measure {
            for index in 0..<100 {
                let response = try await client.execute(HTTPRequest(url: server.url("/echo?i=\(index)")))
                #expect(response.status == 200)
                if let port = try Echo(response.body).clientPort { ports.insert(port) }
            }
        }
        #expect(ports.count == 1, "client ports seen: \(ports)")
        #expect(elapsed < .seconds(10))  // ~0.3 s alone; a new connection per request would still pass
    }

    @Test func connectionIsReusedAfterAnErrorStatus() async throws {
        let client = HTTPClient()
        let first = try Echo(try await client.execute(HTTPRequest(url: server.url("/echo"))).body).clientPort
        _ = try await client.execute(HTTPRequest(url: server.url("/status/500")))
        let second = try Echo(try await client.execute(HTTPRequest(url: server.url("/echo"))).body).clientPort
        #expect(first == second)
    }
}
