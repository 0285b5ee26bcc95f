import FlowPostgres
import Testing

@Suite("Connection loss")
struct ConnectionLossTests {
    /// Waits until `victim` is running a statement, then terminates its backend from `killer`.
    static func terminate(_ victim: PostgresConnection, from killer: PostgresConnection, whileRunning fragment: String)
        async throws
    {
        let running = try await TestDatabase.waitUntil(seconds: 10) {
            let rows = try await killer.queryAll(
                "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND strpos(query, $2) > 0",
                parameters: [.int(Int64(victim.backendPID)), .text(fragment)])
            return !rows.isEmpty
        }
        try #require(running, "the victim's statement never showed up in pg_stat_activity")
        let result = try await killer.queryAll("SELECT pg_terminate_backend($1)", parameters: [.int(Int64(victim.backendPID))])
        #expect(result.first?[0] == .bool(true))
    }

    @Test("pg_terminate_backend during a statement gives connectionLost, then every call does")
    func terminatedDuringExecute() async throws {
        let victim = try await TestDatabase.connect()
        let killer = try await TestDatabase.connect()
        let start = ContinuousClock.now
        async let sleeping = victim.execute("SELECT pg_sleep(60) /* victim-sleep */")
        try await Self.terminate(victim, from: killer, whileRunning: "victim-sleep")
        do {
            _ = try await sleeping
            Issue.record("the terminated statement returned normally")
        } catch let error as PostgresError {
            #expect(error.code == .connectionLost)
            #expect(error.isConnectionLoss)
            #expect(error.isRetryable)
            #expect(error.sqlState == "57P01", "\(error)")
            #expect(error.message.contains("terminating connection"))
        }
        #expect(ContinuousClock.now - start < .seconds(20))
        let next = try await #require(throws: PostgresError.self) { try await victim.execute("SELECT 1") }
        #expect(next.code == .connectionLost)
        await victim.close()
        await killer.close()
    }

    @Test("pg_terminate_backend while streaming ends the iteration with connectionLost")
    func terminatedWhileStreaming() async throws {
        let victim = try await TestDatabase.connect()
        let killer = try await TestDatabase.connect()
        var count = 0
        let error = try await #require(throws: PostgresError.self) {
            try await victim.query(
                "SELECT i, repeat('y', 200) /* victim-stream */ FROM generate_series(1, 2000000) AS i", batchSize: 100
            ) { rows in
                for try await _ in rows {
                    count += 1
                    if count == 1000 { try await Self.terminate(victim, from: killer, whileRunning: "victim-stream") }
                }
            }
        }
        #expect(error.code == .connectionLost)
        #expect(error.isConnectionLoss)
        #expect(count >= 1000 && count < 2_000_000)
        await victim.close()
        await killer.close()
    }

    @Test("pg_terminate_backend during COPY gives connectionLost")
    func terminatedDuringCopy() async throws {
        let table = TestDatabase.uniqueName("copylost")
        let victim = try await TestDatabase.connect()
        let killer = try await TestDatabase.connect()
        try await killer.execute("CREATE TABLE \(table) (id int8, pad text)")
        let error = try await #require(throws: PostgresError.self) {
            try await victim.copyIn("COPY \(table) (id, pad) FROM STDIN /* victim-copy */") { writer in
                let pad = String(repeating: "z", count: 500)
                for index in 0..<Int64.max {
                    try await writer.write([.int(index), .text(pad)])
                    if index == 5000 { try await Self.terminate(victim, from: killer, whileRunning: "victim-copy") }
                }
            }
        }
        #expect(error.isConnectionLoss)
        #expect(try await killer.queryAll("SELECT count(*) FROM \(table)")[0][0] == .int(0))
        try await killer.execute("DROP TABLE \(table)")
        await victim.close()
        await killer.close()
    }
}
