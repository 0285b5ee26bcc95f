import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// What `flow validate` reports for `jdbc_output` fields, before anything connects.
@Suite struct JDBCOutputValidationTests {
    static func messages(_ body: String) -> [String] {
        WorkflowHarness.validate(DatabaseWorkflow.load([], into: body)).items.map(\.message)
    }

    @Test func upsertNeedsAKey() {
        let messages = Self.messages("url: \"sqlite::memory:\"\ntable: t\nmode: upsert")
        #expect(messages.contains { $0.contains("`mode: upsert` needs `key`") }, "\(messages)")
    }

    @Test func replaceNeedsOneTransaction() {
        let messages = Self.messages("url: \"sqlite::memory:\"\ntable: t\nmode: replace\ncommit: batch")
        #expect(messages.contains { $0.contains("`mode: replace` needs `commit: run`") }, "\(messages)")
    }

    @Test func keyColumnsMustBeDeclared() {
        let messages = Self.messages("url: \"sqlite::memory:\"\ntable: t\nmode: upsert\nkey: [idd]\ncolumns: { id: INTEGER }")
        #expect(messages.contains { $0.contains("key column `idd` is not in `columns`") }, "\(messages)")
    }

    @Test func unsupportedSchemesAreRejectedWithoutThePassword() {
        let messages = Self.messages("url: mysql://root:hunter2@localhost/db\ntable: t")
        #expect(messages.contains { $0.contains("unsupported database URL scheme `mysql`") }, "\(messages)")
        #expect(!messages.contains { $0.contains("hunter2") })
    }

    @Test func aBadPostgresURLIsReportedMasked() {
        let messages = Self.messages("url: postgresql://u:s3cret@host:99999/db\ntable: t")
        #expect(messages.contains { $0.contains("port must be a number") }, "\(messages)")
        #expect(!messages.contains { $0.contains("s3cret") })
    }

    @Test func theConnectionErrorIsMasked() async throws {
        // Nothing listens on port 1: the connection fails, and the error must not show the password.
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load([["id": 1]], into: """
            url: postgresql://flow:pa55word@127.0.0.1:1/db?connect_timeout=2
            table: t
            """))
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains("cannot open postgresql://flow:***@127.0.0.1:1/db"), "\(error)")
        #expect(!error.contains("pa55word"))
    }
}
