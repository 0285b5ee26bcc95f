import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// Records repeating a key in one upsert: the later record wins, on both databases.
@Suite struct JDBCOutputDuplicateKeyTests {
    @Test(arguments: TestDatabaseKind.allCases, ["run", "batch"])
    func theLaterRecordWins(_ kind: TestDatabaseKind, commit: String) async throws {
        let target = try TestTarget.make(kind)
        var records: [JSON] = []
        for round in 0..<3 {
            for id in 1...4 { records.append(["id": .int(id), "title": .string("v\(round)-\(id)")]) }
        }
        records.append(["id": 2, "title": "last"])
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            mode: upsert
            key: [id]
            batch_size: 6
            commit: \(commit)
            """), batchSize: 5)
        let node = try #require(outcome.node("store"))
        #expect(node.error == nil)
        #expect(node.metrics["rows_inserted"] == 4)
        #expect(node.metrics["rows_updated"] == 9)
        #expect(try await target.rows("SELECT id, title FROM \(target.table) ORDER BY id") == [
            [1, "v2-1"], [2, "last"], [3, "v2-3"], [4, "v2-4"],
        ])
    }
}
