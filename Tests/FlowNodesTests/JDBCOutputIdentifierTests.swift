import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// Hostile table and column names (quotes, semicolons, Unicode, spaces, case) are stored literally.
@Suite struct JDBCOutputIdentifierTests {
    static let table = "we\"ird; DROP TABLE x; --Ünï"
    static let columns = ["id\"; DROP TABLE y; --", "Ünïcödé naмe", "semi;colon", "MixedCase", "it's"]

    @Test(arguments: TestDatabaseKind.allCases, ["insert", "upsert"])
    func hostileNamesAreStoredLiterally(_ kind: TestDatabaseKind, mode: String) async throws {
        let target = try TestTarget.make(kind)
        let table = Self.table + target.table
        let quotedTable = "\"" + table.replacing("\"", with: "\"\"") + "\""
        let records: [JSON] = (1...3).map { i in
            var object = JSONObject()
            object[Self.columns[0]] = .int(i)
            object[Self.columns[1]] = .string("valüe '\(i)'; DROP TABLE z; --")
            object[Self.columns[2]] = .double(Double(i) / 2)
            object[Self.columns[3]] = .string("tab\there\nnewline \\N \\.")
            object[Self.columns[4]] = .bool(i == 2)
            return .object(object)
        }
        // In YAML single quotes; the table name quoted as SQL reads it, so it is taken literally.
        let yamlTable = "'" + quotedTable.replacing("'", with: "''") + "'"
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(yamlTable)
            mode: \(mode)
            \(mode == "upsert" ? "key: ['\(Self.columns[0].replacing("'", with: "''"))']" : "")
            """))
        #expect(outcome.node("store")?.error == nil)

        let quoted = Self.columns.map { "\"" + $0.replacing("\"", with: "\"\"") + "\"" }
        let rows = try await target.rows("SELECT \(quoted.joined(separator: ", ")) FROM \(quotedTable) ORDER BY 1")
        #expect(rows.count == 3)
        #expect(rows.first?[1] == "valüe '1'; DROP TABLE z; --")
        #expect(rows.first?[3] == "tab\there\nnewline \\N \\.")
        let names: [[JSON]]
        switch kind {
        case .sqlite:
            names = try await target.rows("SELECT name FROM pragma_table_info('\(table.replacing("'", with: "''"))')")
        case .postgres:
            names = try await target.rows(
                "SELECT attname::text FROM pg_attribute WHERE attrelid = '\(quotedTable.replacing("'", with: "''"))'::regclass AND attnum > 0 ORDER BY attnum")
        }
        #expect(names == Self.columns.map { [.string($0)] })
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func schemaQualifiedNamesAreSplitAsSQLReadsThem(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let schema = kind == .postgres ? TestTarget.uniqueName("s") : "main"
        if kind == .postgres { try await target.execute("CREATE SCHEMA \(schema)") }
        // Unquoted parts fold to lower case, as in SQL.
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(3), into: """
            url: \(target.url)
            table: \(schema.uppercased()).\(target.table.uppercased())
            """))
        #expect(outcome.node("store")?.error == nil)
        #expect(try await target.count("\(schema).\(target.table)") == 3)
        if kind == .postgres { try await target.execute("DROP SCHEMA \(schema) CASCADE") }
    }

    @Test func unsafeColumnTypesAreRejectedAtValidation() {
        let diagnostics = WorkflowHarness.validate(DatabaseWorkflow.load([], into: """
            url: "sqlite::memory:"
            table: t
            columns: { id: "BIGINT); DROP TABLE x; --" }
            """))
        #expect(diagnostics.items.contains { $0.message.contains("the type of column `id` may contain only") }, "\(diagnostics.items)")
    }

    @Test func anUnquotedNameWithSpacesIsRejectedAtValidation() {
        let diagnostics = WorkflowHarness.validate(DatabaseWorkflow.load([], into: """
            url: "sqlite::memory:"
            table: my table
            """))
        #expect(diagnostics.items.contains { $0.message.contains("contains spaces; quote it") }, "\(diagnostics.items)")
    }
}
