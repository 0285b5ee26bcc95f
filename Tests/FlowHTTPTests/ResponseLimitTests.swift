import FlowTestSupport
import Foundation
import Testing

@testable import FlowHTTP

/// maxResponseBytes aborts the transfer as soon as the body exceeds it.
@Suite struct ResponseLimitTests {
    let server: FixtureServer
    let client = HTTPClient()

    init() throws { server = try FixtureServer.http.get() }

    @Test func underTheLimitSucceeds() async throws {
        let response = try await client.execute(
            HTTPRequest(url: server.url("/bytes/100000?chunked=1"), maxResponseBytes: 100_000))
        #expect(response.body.count == 100_000)
    }

    @Test(arguments: [false, true])
    func bodyOverTheLimitIsAbortedEarly(chunked: Bool) async throws {
        // 2 GB; with Content-Length curl refuses before the body, without it the write callback aborts.
        let key = UUID().uuidString
        let url = server.url("/bytes/2000000000?key=\(key)" + (chunked ? "&chunked=1" : ""))
        let error = await failure { () async throws(HTTPClientError) in
            try await client.execute(HTTPRequest(url: url, maxResponseBytes: 1_000_000))
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.limit == 1_000_000)
        #expect(error?.description.contains("1000000 bytes") == true)
        #expect(error?.isRetryable == false)

        // The server saw the client hang up after little more than the socket buffers' worth of data.
        let sent = try await sentBytes(key: key)
        #expect(sent < 100_000_000, "server sent \(sent) bytes before the client hung up")
    }

    /// What /bytes recorded for `key`, once the server noticed the closed connection.
    func sentBytes(key: String) async throws -> Int {
        for _ in 0..<100 {
            let response = try await client.execute(HTTPRequest(url: server.url("/stats?key=\(key)")))
            if response.status == 200,
                let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let sent = object["sent"] as? Int
            {
                #expect(object["complete"] as? Bool == false)
                return sent
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError(message: "the fixture never finished /bytes for \(key)")
    }
}
