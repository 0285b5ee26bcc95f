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

    @Test func announcedLengthOverTheLimitFailsBeforeTheBody() async throws {
        let (error, elapsed) = await measure { () async -> HTTPClientError? in
            await failure { () async throws(HTTPClientError) in
                try await client.execute(HTTPRequest(url: server.url("/bytes/2000000000"), maxResponseBytes: 1000))
            }
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.limit == 1000)
        #expect(error?.isRetryable == false)
        #expect(elapsed < .seconds(2))
    }

    @Test func streamedBodyOverTheLimitIsAbortedEarly() async throws {
        // 2 GB without Content-Length: only an early abort in the write callback finishes in time.
        let (error, elapsed) = await measure { () async -> HTTPClientError? in
            await failure { () async throws(HTTPClientError) in
                try await client.execute(
                    HTTPRequest(url: server.url("/bytes/2000000000?chunked=1"), maxResponseBytes: 1_000_000))
            }
        }
        #expect(error?.kind == .tooLarge)
        #expect(error?.limit == 1_000_000)
        #expect(error?.description.contains("1000000 bytes") == true)
        #expect(elapsed < .seconds(3))
    }
}
