import Testing

@testable import FlowHTTP

/// Cancelling the calling task aborts the transfer promptly; shutting down fails what is in flight.
@Suite struct CancellationTests {
    let server: FixtureServer

    init() throws { server = try FixtureServer.http.get() }

    @Test func cancellingASlowRequestReturnsPromptly() async throws {
        let client = HTTPClient()
        let task = Task { try await client.execute(HTTPRequest(url: server.url("/slow/10000"))) }
        try await Task.sleep(for: .milliseconds(200))
        let (result, elapsed) = await measure {
            task.cancel()
            return await task.result
        }
        #expect(elapsed < .seconds(3))  // the server would answer after 10 s; usually a few ms
        #expect(throws: HTTPClientError.self) { try result.get() }
        #expect((result.failure as? HTTPClientError)?.kind == .cancelled)
        // The client still works afterwards.
        #expect(try await client.execute(HTTPRequest(url: server.url("/json"))).status == 200)
    }

    @Test func alreadyCancelledTaskFailsWithoutATransfer() async throws {
        let client = HTTPClient()
        let key = "cancel-\(UInt64.random(in: 0...UInt64.max))"
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await client.execute(HTTPRequest(url: server.url("/counter?key=\(key)")))
        }
        let result = await task.result
        #expect((result.failure as? HTTPClientError)?.kind == .cancelled)
        let count = try await client.execute(HTTPRequest(url: server.url("/counter?key=\(key)")))
        #expect(String(decoding: count.body, as: UTF8.self) == #"{"count": 1}"#)
    }

    @Test func cancellingManyRequestsLeavesNoneBehind() async throws {
        let client = HTTPClient()
        await withTaskGroup(of: HTTPClientError.Kind?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    await failure { () async throws(HTTPClientError) in
                        try await client.execute(HTTPRequest(url: server.url("/slow/10000")))
                    }?.kind
                }
            }
            try? await Task.sleep(for: .milliseconds(200))
            group.cancelAll()
            var kinds: [HTTPClientError.Kind?] = []
            for await kind in group { kinds.append(kind) }
            #expect(kinds.count == 50)
            #expect(kinds.allSatisfy { $0 == .cancelled })
        }
    }

    @Test func shutDownFailsTransfersInFlightAndLaterOnes() async throws {
        let client = HTTPClient()
        let task = Task { try await client.execute(HTTPRequest(url: server.url("/slow/10000"))) }
        try await Task.sleep(for: .milliseconds(200))
        client.shutDown()
        #expect((await task.result.failure as? HTTPClientError)?.kind == .shutDown)
        await #expect(throws: HTTPClientError.self) {
            try await client.execute(HTTPRequest(url: server.url("/json")))
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
