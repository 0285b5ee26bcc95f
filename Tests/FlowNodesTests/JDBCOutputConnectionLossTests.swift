import FlowCore
import FlowJSON
import FlowPostgres
import Testing

@testable import FlowNodes

/// `pg_terminate_backend` of the loading connection mid-run: no partial rows and a clear error.
@Suite struct JDBCOutputConnectionLossTests {
    @Test(arguments: ["insert", "upsert"])
    func terminatingTheLoadingBackendLeavesNoRows(mode: String) async throws {
        let target = try TestTarget.make(.postgres)
        try await target.execute("CREATE TABLE \(target.table) (id BIGINT PRIMARY KEY, title TEXT)")
        let nodeID = TestTarget.uniqueName("loss")
        // 400 records, 10 every 25 ms: about 1 s of loading in batches of 20.
        let yaml = """
            name: loss-test
            nodes:
              slow:
                type: test_slow_source
                count: 400
                batch: 10
                delay: 25ms
              \(nodeID):
                type: jdbc_output
                input: slow
                url: \(target.url)
                table: \(target.table)
                mode: \(mode)
                \(mode == "upsert" ? "key: [id]" : "")
                batch_size: 20
            """
        let run = Task { await DatabaseWorkflow.run(yaml, batchSize: 10) }

        // Wait until the node's connection is inside its transaction and has loaded a few batches.
        let monitor = try await PostgresConnection.connect(target.url)
        let application = "flow/\(nodeID)"
        var pid: Int64?
        let deadline = ContinuousClock.now + .seconds(10)
        while pid == nil, ContinuousClock.now < deadline {
            let rows = try await monitor.queryAll(
                "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL",
                parameters: [.text(application)])
            pid = rows.first?[0]?.int
            if pid == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let backend = try #require(pid, "the node's connection never showed up in pg_stat_activity as \(application)")
        try await Task.sleep(for: .milliseconds(400))
        let terminated = try await monitor.queryAll("SELECT pg_terminate_backend($1)", parameters: [.int(backend)])
        #expect(terminated.first?[0]?.bool == true)
        await monitor.close()

        let outcome = await run.value
        let node = try #require(outcome.node(nodeID))
        #expect(node.status == .failed)
        let error = try #require(node.error)
        #expect(error.contains("connection lost") || error.contains("57P01"), "\(error)")
        #expect(error.contains("nothing was committed"), "\(error)")
        #expect(!error.contains("password"))
        #expect(node.recordsIn < 400, "the run should have been cut short")
        // Whatever batches had been written were rolled back: nothing is reported inserted.
        #expect((node.metrics["rows_inserted"] ?? 0) == 0)
        #expect(try await target.count(target.table) == 0)
    }
}
