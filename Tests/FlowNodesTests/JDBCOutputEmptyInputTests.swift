import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// Records that would write nothing fail instead of being dropped.
@Suite struct JDBCOutputEmptyRecordTests {
    @Test(arguments: TestDatabaseKind.allCases)
    func recordsWithoutWritableFieldsFail(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        try await target.execute("CREATE TABLE \(target.table) (id INTEGER)")
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load([["other": 1]], into: """
            url: \(target.url)
            table: \(target.table)
            extra: ignore
            """))
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains("record 0 has no field to write into table"), "\(error)")
        #expect(error.contains(#"the table has "id""#), "\(error)")
    }

    @Test func noRecordsIsNotAnError() async throws {
        let target = try TestTarget.make(.sqlite)
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load([], into: """
            url: \(target.url)
            table: \(target.table)
            """))
        #expect(outcome.node("store")?.status == .succeeded)
    }
}
