import FlowCore
import FlowJSON
import FlowSQLite
import Testing

@testable import FlowNodes

/// A SQLite file locked by another writer: the node waits (busy timeout), then fails with a hint.
@Suite struct JDBCOutputLockTests {
    @Test func aLockedSQLiteFileFailsWithAHint() async throws {
        let target = try TestTarget.make(.sqlite)
        let holder = try SQLiteConnection(path: target.sqlitePath)
        try await holder.withDatabase { try $0.execute("CREATE TABLE other (x INTEGER); BEGIN IMMEDIATE; INSERT INTO other VALUES (1)") }
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load([["id": 1]], into: """
            url: \(target.url)
            table: \(target.table)
            """))
        try await holder.withDatabase { try $0.execute("ROLLBACK") }
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains("database is locked"), "\(error)")
        #expect(error.contains("give each writer its own SQLite file"), "\(error)")
    }
}
