import Testing

@testable import FlowHTTP

/// Many transfers in flight at once on one multi handle.
@Suite struct ConcurrencyTests {
    let server: FixtureServer

    init() throws { server = try FixtureServer.http.get() }

    @Test func thousandConcurrentRequestsComplete() async throws {
        let client = HTTPClient()
        let (statuses, elapsed) = try await measure {
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<1000 {
                    group.addTask {
                        let response = try await client.execute(HTTPRequest(url: server.url("/echo?i=\(index)")))
                        let echo = try Echo(response.body)
                        #expect(echo.query == "i=\(index)")
                        return (index, response.status)
                    }
                }
                var statuses: [Int: Int] = [:]
                for try await (index, status) in group { statuses[index] = status }
                return statuses
            }
        }
        #expect(statuses.count == 1000)
        #expect(statuses.values.allSatisfy { $0 == 200 })
        #expect(elapsed < .seconds(30))
    }

    @Test func slowTransfersDoNotBlockFastOnes() async throws {
        let client = HTTPClient()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { _ = try? await client.execute(HTTPRequest(url: server.url("/slow/10000"))) }
            }
            try await Task.sleep(for: .milliseconds(100))
            let (response, elapsed) = try await measure {
                try await client.execute(HTTPRequest(url: server.url("/json")))
            }
            #expect(response.status == 200)
            #expect(elapsed < .seconds(5))  // not after the 10 s ones
            group.cancelAll()
        }
    }
}
