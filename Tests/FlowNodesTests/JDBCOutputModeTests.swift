import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// `jdbc_output` modes on both databases, through the real engine: inline -> jdbc_output.
@Suite struct JDBCOutputModeTests {
    static func bool(_ value: Bool, _ kind: TestDatabaseKind) -> JSON { kind == .sqlite ? .int(value ? 1 : 0) : .bool(value) }

    @Test(arguments: TestDatabaseKind.allCases)
    func insertCreatesTheTableFromTheFirstRecords(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(25), into: """
            url: \(target.url)
            table: \(target.table)
            batch_size: 10
            """), batchSize: 7)
        #expect(outcome.node("store")?.error == nil)
        #expect(outcome.node("store")?.status == .succeeded)
        #expect(outcome.node("store")?.metrics["rows_inserted"] == 25)
        let rows = try await target.rows("SELECT id, title, price, in_stock FROM \(target.table) ORDER BY id")
        #expect(rows.count == 25)
        #expect(rows.first == [1, "Product 1", 0.5, Self.bool(true, kind)])
        #expect(rows.last == [25, "Product 25", 24.5, Self.bool(true, kind)])

        // The documented type mapping.
        let types: [[JSON]]
        switch kind {
        case .sqlite:
            types = try await target.rows("SELECT name, type FROM pragma_table_info('\(target.table)')")
            #expect(types == [["id", "INTEGER"], ["title", "TEXT"], ["price", "REAL"], ["in_stock", "BOOLEAN"]])
        case .postgres:
            types = try await target.rows("""
                SELECT attname::text, format_type(atttypid, atttypmod) FROM pg_attribute
                WHERE attrelid = '\(target.table)'::regclass AND attnum > 0 ORDER BY attnum
                """)
            #expect(types == [["id", "bigint"], ["title", "text"], ["price", "double precision"], ["in_stock", "boolean"]])
        }

        // Insert again: rows are added.
        let again = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(3), into: """
            url: \(target.url)
            table: \(target.table)
            """))
        #expect(again.node("store")?.error == nil)
        #expect(try await target.count(target.table) == 28)
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func upsertInsertsNewKeysAndUpdatesExistingOnes(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let body = """
            url: \(target.url)
            table: \(target.table)
            mode: upsert
            key: [id]
            batch_size: 4
            """
        let first = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(10), into: body))
        #expect(first.node("store")?.error == nil)
        #expect(first.node("store")?.metrics["rows_inserted"] == 10)
        #expect(first.node("store")?.metrics["rows_updated"] == 0)

        // Ids 6...15: 6...10 exist (5 of them with a new price), 11...15 are new.
        var records = Array(DatabaseWorkflow.products(15)[5...])
        for i in 0..<5 { records[i] = ["id": .int(i + 6), "title": .string("Product \(i + 6)"), "price": .double(100), "in_stock": false] }
        let second = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: body))
        #expect(second.node("store")?.error == nil)
        #expect(second.node("store")?.metrics["rows_inserted"] == 5)
        #expect(second.node("store")?.metrics["rows_updated"] == 5)
        #expect(try await target.count(target.table) == 15)
        let updated = try await target.rows("SELECT id, price, in_stock FROM \(target.table) WHERE id BETWEEN 5 AND 7 ORDER BY id")
        #expect(updated == [[5, 4.5, Self.bool(true, kind)], [6, 100.0, Self.bool(false, kind)], [7, 100.0, Self.bool(false, kind)]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func replaceSwapsTheContentInOneTransaction(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        try await target.execute("CREATE TABLE \(target.table) (id BIGINT PRIMARY KEY, title TEXT, price DOUBLE PRECISION, in_stock BOOLEAN)")
        try await target.execute("INSERT INTO \(target.table) VALUES (100, 'old', 1.0, NULL), (101, 'old', 2.0, NULL)")
        let body = """
            url: \(target.url)
            table: \(target.table)
            mode: replace
            batch_size: 3
            """
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(7), into: body))
        #expect(outcome.node("store")?.error == nil)
        #expect(outcome.node("store")?.metrics["rows_deleted"] == 2)
        #expect(outcome.node("store")?.metrics["rows_inserted"] == 7)
        #expect(try await target.rows("SELECT min(id), max(id), count(*) FROM \(target.table)") == [[1, 7, 7]])

        // A replace that fails keeps the old content.
        var bad = DatabaseWorkflow.products(5)
        bad[4] = ["id": 5, "title": "x", "price": "not a price"]
        let failed = await DatabaseWorkflow.run(DatabaseWorkflow.load(bad, into: body))
        #expect(failed.node("store")?.status == .failed)
        #expect(try await target.rows("SELECT min(id), max(id), count(*) FROM \(target.table)") == [[1, 7, 7]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func declaredColumnsCreateTheTableAndDropNothing(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let records: [JSON] = [["id": 1, "price": 3, "tags": ["a", "b"]], ["id": 2, "price": nil, "tags": ["n": 1]]]
        let json = kind == .postgres ? "JSONB" : "TEXT"
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            columns: { id: INTEGER, price: DOUBLE PRECISION, tags: \(json), note: TEXT }
            """))
        #expect(outcome.node("store")?.error == nil)
        let rows = try await target.rows("SELECT id, price, tags, note FROM \(target.table) ORDER BY id")
        let tags: [JSON] = kind == .postgres ? ["[\"a\", \"b\"]", "{\"n\": 1}"] : ["[\"a\",\"b\"]", "{\"n\":1}"]
        #expect(rows == [[1, 3.0, tags[0], nil], [2, nil, tags[1], nil]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func aMissingTableWithCreateFalseFails(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(DatabaseWorkflow.products(2), into: """
            url: \(target.url)
            table: \(target.table)
            create: false
            """))
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains("table \"\(target.table)\" does not exist"), "\(error)")
        #expect(error.contains("create: true"))
    }
}
