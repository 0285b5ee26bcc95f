import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// Rerunning the same upsert run changes nothing: same row count, same content, nothing reported updated.
@Suite struct JDBCOutputRerunTests {
    @Test(arguments: TestDatabaseKind.allCases)
    func rerunningAnUpsertChangesNothing(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        var records = DatabaseWorkflow.products(120)
        records[3] = ["id": 4, "title": nil, "price": 1.25, "in_stock": nil]
        let yaml = DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            mode: upsert
            key: id
            batch_size: 50
            """)
        let first = await DatabaseWorkflow.run(yaml, batchSize: 30)
        #expect(first.node("store")?.error == nil)
        #expect(first.node("store")?.metrics["rows_inserted"] == 120)
        let query = "SELECT id, title, price, in_stock FROM \(target.table) ORDER BY id"
        let before = try await target.rows(query)
        #expect(before.count == 120)

        let second = await DatabaseWorkflow.run(yaml, batchSize: 30)
        #expect(second.node("store")?.error == nil)
        #expect(second.node("store")?.metrics["rows_inserted"] == 0)
        #expect(second.node("store")?.metrics["rows_updated"] == 0)
        #expect(second.node("store")?.metrics["rows_unchanged"] == 120)
        #expect(try await target.rows(query) == before)
    }
}
