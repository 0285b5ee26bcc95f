import FlowCore
import FlowJSON
import Foundation
import Testing

@testable import FlowNodes

/// `sql_query` streams a 1,000,000-row result in bounded memory: rows are fetched a batch at a time and
/// only as fast as the consumer takes them.
@Suite struct SQLQueryStreamingTests {
    @Test(arguments: TestDatabaseKind.allCases)
    func aMillionRowsStreamInBoundedMemory(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        // sql_query opens SQLite files read-only: the file must exist.
        if kind == .sqlite { try await target.execute("CREATE TABLE marker (x INTEGER)") }
        // About 230 bytes of text per row: 230 MB of strings if the result were held in memory.
        let query: String
        switch kind {
        case .postgres:
            query = "SELECT n AS id, repeat('x', 200) || n::text AS payload FROM generate_series(1, 1000000) AS n"
        case .sqlite:
            query = """
                WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000000)
                SELECT n AS id, printf('%.200c', 'x') || n AS payload FROM s
                """
        }
        let bucket = UUID().uuidString
        let yaml = """
            name: stream-test
            nodes:
              q:
                type: sql_query
                url: \(target.url)
                query: "\(query.replacing("\n", with: " "))"
                batch_size: 2000
              count:
                type: test_counter
                input: q
                bucket: \(bucket)
            """
        let before = CountingSinkNode.residentBytes()
        let outcome = await DatabaseWorkflow.run(yaml, batchSize: 1000)
        #expect(outcome.node("q")?.error == nil)
        let result = try #require(CountingSinkNode.results.withLock { $0[bucket] })
        #expect(result.records == 1_000_000)
        #expect(outcome.node("q")?.recordsOut == 1_000_000)
        #expect(result.first?["id"] == 1)
        #expect(result.last?["id"] == 1_000_000)
        #expect(result.last?["payload"]?.stringValue?.count == 207)
        // Other tests run in the same process at the same time: allow for them, but far below 230 MB.
        let growth = result.maxRSS - before
        #expect(growth < 96 * 1024 * 1024, "RSS grew by \(growth / 1_048_576) MB while streaming")
    }
}
