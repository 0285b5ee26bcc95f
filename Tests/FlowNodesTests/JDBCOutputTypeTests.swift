import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// Values checked against column types before writing; errors name the node, record, column and value.
@Suite struct JDBCOutputTypeTests {
    @Test(arguments: TestDatabaseKind.allCases)
    func aTypeMismatchNamesNodeRecordColumnAndValue(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        var records = DatabaseWorkflow.products(1500)
        records[1234] = ["id": 1235, "title": "x", "price": "abc", "in_stock": true]
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            columns: { id: BIGINT, title: TEXT, price: DOUBLE PRECISION, in_stock: BOOLEAN }
            batch_size: 500
            """))
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains(#"node `store` (jdbc_output) failed: record 1234, column "price": expected double precision, found string "abc""#), "\(error)")
        #expect(error.contains("nothing was committed"))
        // The table was created inside the run's transaction: rolled back with it.
        await #expect(throws: (any Error).self) { try await target.count(target.table) }
    }

    /// A value only the server can reject (a date), in a batch that the PostgreSQL writer sends while it
    /// encodes the next one: the error still names the record and the column.
    @Test(arguments: ["insert", "upsert"])
    func aValueTheServerRejectsNamesItsRecord(mode: String) async throws {
        let target = try TestTarget.make(.postgres)
        try await target.execute("CREATE TABLE \(target.table) (id BIGINT PRIMARY KEY, day DATE)")
        var records: [JSON] = (0..<35).map { ["id": .int($0), "day": "2026-01-02"] }
        records[23] = ["id": 23, "day": "not a date"]
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            mode: \(mode)
            \(mode == "upsert" ? "key: [id]" : "")
            batch_size: 10
            """), batchSize: 10)
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains(#"record 23, column "day""#), "\(error)")
        #expect(error.contains("not a date"), "\(error)")
        #expect(error.contains("nothing was committed"), "\(error)")
        #expect(try await target.count(target.table) == 0)
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func existingTableTypesAreChecked(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        try await target.execute("CREATE TABLE \(target.table) (id INTEGER, flag BOOLEAN)")
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load([["id": 1, "flag": true], ["id": 2.5, "flag": false]], into: """
            url: \(target.url)
            table: \(target.table)
            """))
        let error = try #require(outcome.node("store")?.error)
        #expect(error.contains(#"record 1, column "id": expected integer, found number 2.5"#), "\(error)")
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func inferredTypesFollowTheDocumentedMapping(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        let records: [JSON] = [
            ["a": nil, "b": 1, "c": nil, "d": ["x": 1], "e": "s"],
            ["a": 2, "b": 2.5, "c": nil, "d": [1, 2], "e": 3],
        ]
        let outcome = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            """))
        #expect(outcome.node("store")?.error == nil)
        let types: [[JSON]]
        switch kind {
        case .sqlite:
            types = try await target.rows("SELECT type FROM pragma_table_info('\(target.table)')")
            #expect(types == [["INTEGER"], ["REAL"], ["TEXT"], ["TEXT"], ["TEXT"]])
        case .postgres:
            types = try await target.rows(
                "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '\(target.table)'::regclass AND attnum > 0 ORDER BY attnum")
            #expect(types == [["bigint"], ["double precision"], ["text"], ["jsonb"], ["text"]])
        }
        #expect(try await target.rows("SELECT e FROM \(target.table) ORDER BY e") == [["3"], ["s"]])
    }

    @Test(arguments: TestDatabaseKind.allCases)
    func fieldsThatAreNotColumnsFailOrAreIgnored(_ kind: TestDatabaseKind) async throws {
        let target = try TestTarget.make(kind)
        try await target.execute("CREATE TABLE \(target.table) (id INTEGER, title TEXT)")
        let records: [JSON] = [["id": 1, "title": "a"], ["id": 2, "titel": "b"]]
        let failed = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            """))
        let error = try #require(failed.node("store")?.error)
        #expect(error.contains(#"record field "titel" is not a column of table"#), "\(error)")
        #expect(error.contains("did you mean `title`?"), "\(error)")

        let ignored = await DatabaseWorkflow.run(DatabaseWorkflow.load(records, into: """
            url: \(target.url)
            table: \(target.table)
            extra: ignore
            """))
        #expect(ignored.node("store")?.error == nil)
        #expect(try await target.rows("SELECT id, title FROM \(target.table) ORDER BY id") == [[1, "a"], [2, nil]])
    }
}
