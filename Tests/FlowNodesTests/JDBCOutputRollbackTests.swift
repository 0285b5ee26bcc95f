import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// A constraint violation in batch 3 of 5: `commit: run` rolls everything back; `commit: batch` keeps
/// the two batches committed before it.
@Suite struct JDBCOutputRollbackTests {
    /// 50 records in batches of 10; record 25 (batch 3) breaks the CHECK constraint.
    static func setUp(_ kind: TestDatabaseKind) async throws -> (TestTarget, [JSON]) {
        let target = try TestTarget.make(kind)
        try await target.execute(
            "CREATE TABLE \(target.table) (id BIGINT PRIMARY KEY, title TEXT, price DOUBLE PRECISION CHECK (price >= 0), in_stock BOOLEAN)")
        var records = DatabaseWorkflow.products(50)
        records[25] = ["id": 26, "title": "broken", "price": -1.0, "in_stock": true]
        return (target, records)
    }

    @Test(arguments: TestDatabaseKind.allCases, ["insert", "upsert"])
    func aViolationInBatchThreeRollsEverythingBack(_ kind: TestDatabaseKind, mode: String) async throws {
        let (target, records) = try await Self.setUp(kind)
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            mode: \(mode)
            \(mode == "upsert" ? "key: [id]" : "")
            batch_size: 10
            """), batchSize: 10)
        let node = try #require(outcome.node("store"))
        #expect(node.status == .failed)
        let error = try #require(node.error)
        #expect(error.lowercased().contains("check"), "\(error)")
        #expect(error.contains("nothing was committed"), "\(error)")
        if mode == "insert" { #expect(error.contains("record 25"), "\(error)") }
        // The metrics say what is in the table: nothing inserted, two batches rolled back.
        #expect(node.metrics["rows_inserted"] == 0)
        #expect(node.metrics["rows_rolled_back"] == 20)
        #expect(outcome.result?.status == .failed)
        #expect(try await target.count(target.table) == 0)
    }

    @Test(arguments: TestDatabaseKind.allCases, ["insert", "upsert"])
    func perBatchCommitsKeepTheBatchesBeforeTheFailure(_ kind: TestDatabaseKind, mode: String) async throws {
        let (target, records) = try await Self.setUp(kind)
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            mode: \(mode)
            \(mode == "upsert" ? "key: [id]" : "")
            batch_size: 10
            commit: batch
            """), batchSize: 10)
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains("2 batch(es) (20 rows) were committed"), "\(error)")
        #expect(outcome.node("store")?.metrics["rows_inserted"] == 20)
        #expect(outcome.node("store")?.metrics["batches_committed"] == 2)
        #expect(try await target.rows("SELECT count(*), max(id) FROM \(target.table)") == [[20, 20]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func perBatchUpsertsCommitEveryBatch(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let yaml = DatabaseWorkflow.load(DatabaseWorkflow.products(35), into: """
            url: \(target.url)
            table: \(target.table)
            mode: upsert
            key: [id]
            batch_size: 10
            commit: batch
            """)
        let first = await DatabaseWorkflow.run(yaml, batchSize: 7)
        #expect(first.node("store")?.error == nil)
        #expect(first.node("store")?.metrics["batches_committed"] == 4)
        #expect(first.node("store")?.metrics["rows_inserted"] == 35)
        let second = await DatabaseWorkflow.run(yaml, batchSize: 7)
        #expect(second.node("store")?.metrics["rows_unchanged"] == 35)
        #expect(try await target.count(target.table) == 35)
    }
}
