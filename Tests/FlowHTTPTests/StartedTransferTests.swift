import FlowTestSupport
import Foundation
import Testing

@testable import FlowHTTP

/// `HTTPClient.start`: requests under way while the caller does other work, responses taken later.
@Suite struct StartedTransferTests {
    let server: FixtureServer

    init() throws { server = try FixtureServer.http.get() }

    @Test func responsesCanBeTakenInAnyOrder() async throws {
        let client = HTTPClient()
        let transfers = (0..<5).map { client.start(HTTPRequest(url: server.url("/echo?i=\($0)"))) }
        for index in [4, 0, 3, 1, 2] {
            let response = try await transfers[index].response()
            #expect(response.status == 200)
            #expect(try Echo(response.body).query == "i=\(index)")
        }
    }

    @Test func errorsComeWithTheResponse() async throws {
        let client = HTTPClient()
        let transfer = client.start(HTTPRequest(url: server.url("/bytes/5000"), maxResponseBytes: 1000))
        let error = await failure { () async throws(HTTPClientError) in try await transfer.response() }
        #expect(error?.kind == .tooLarge)
    }

    @Test func droppingATransferCancelsIt() async throws {
        let client = HTTPClient()
        let key = "drop-\(UInt64.random(in: 0...UInt64.max))"
        // 1 GB: the server is still sending when the handle goes away.
        var transfer: HTTPTransfer? = client.start(HTTPRequest(url: server.url("/bytes/1000000000?key=\(key)")))
        try await Task.sleep(for: .milliseconds(50))
        _ = transfer
        transfer = nil
        let sent = try await sentBytes(client, key: key)
        #expect(sent < 1_000_000_000)
        // The client still works afterwards.
        #expect(try await client.execute(HTTPRequest(url: server.url("/json"))).status == 200)
    }

    @Test func cancellingTheWaitingTaskCancelsTheTransfer() async throws {
        let client = HTTPClient()
        let transfer = client.start(HTTPRequest(url: server.url("/slow/10000")))
        let task = Task { try await transfer.response() }
        task.cancel()
        #expect((await task.result.failure as? HTTPClientError)?.kind == .cancelled)
    }

    @Test func aShutDownClientFailsStartedTransfers() async throws {
        let client = HTTPClient()
        let transfer = client.start(HTTPRequest(url: server.url("/slow/10000")))
        client.shutDown()
        let error = await failure { () async throws(HTTPClientError) in try await transfer.response() }
        #expect(error?.kind == .shutDown)
        let later = client.start(HTTPRequest(url: server.url("/json")))
        #expect(await failure { () async throws(HTTPClientError) in try await later.response() }?.kind == .shutDown)
    }

    @Test func aFollowerGoesOutAfterItsPredecessorOnTheSameConnection() async throws {
        let client = HTTPClient()
        let first = client.start(HTTPRequest(url: server.url("/echo?i=1")))
        let second = client.start(HTTPRequest(url: server.url("/echo?i=2")), after: first)
        let third = client.start(HTTPRequest(url: server.url("/echo?i=3")), after: second)
        var ports: Set<Int?> = []
        for (index, transfer) in [first, second, third].enumerated() {
            let echo = try Echo(try await transfer.response().body)
            #expect(echo.query == "i=\(index + 1)")
            ports.insert(echo.clientPort)
        }
        #expect(ports.count == 1)  // one after the other: one connection
    }

    @Test func aFollowerOfAFailedRequestWaitsUntilItsResponseIsAskedFor() async throws {
        let client = HTTPClient()
        let key = "follow-\(UInt64.random(in: 0...UInt64.max))"
        let failing = client.start(HTTPRequest(url: server.url("/status/503")))
        let follower = client.start(HTTPRequest(url: server.url("/counter?key=\(key)")), after: failing)
        #expect(try await failing.response().status == 503)
        // The follower has not been sent: the first request to the counter is the one below.
        let count = try await client.execute(HTTPRequest(url: server.url("/counter?key=\(key)")))
        #expect(String(decoding: count.body, as: UTF8.self) == #"{"count": 1}"#)
        #expect(String(decoding: try await follower.response().body, as: UTF8.self) == #"{"count": 2}"#)
    }

    /// What /bytes recorded for `key`, once the server noticed the closed connection.
    func sentBytes(_ client: HTTPClient, key: String) async throws -> Int {
        for _ in 0..<200 {
            let response = try await client.execute(HTTPRequest(url: server.url("/stats?key=\(key)")))
            if response.status == 200,
                let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let sent = object["sent"] as? Int
            {
                return sent
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw FixtureError(message: "the fixture never finished /bytes for \(key)")
    }
}

/// The hand-over of one outcome from the worker thread to a task, without I/O.
@Suite struct TransferCompletionTests {
    @Test func anOutcomeThatArrivedFirstIsTakenWithoutWaiting() async throws {
        let completion = TransferCompletion()
        #expect(!completion.isComplete)
        completion.complete(.success(HTTPResponse(status: 204, effectiveURL: "http://x/")))
        #expect(completion.isComplete)
        #expect(try (await completion.wait()).get().status == 204)
    }

    @Test func aWaitingTaskIsResumed() async {
        let completion = TransferCompletion()
        async let outcome = completion.wait()
        try? await Task.sleep(for: .milliseconds(10))
        completion.complete(.failure(.cancelled(url: "http://x/")))
        #expect((await outcome).failure?.kind == .cancelled)
        #expect(completion.isComplete)
    }
}
