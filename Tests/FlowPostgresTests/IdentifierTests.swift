import FlowPostgres
import Testing

@Suite("Identifiers")
struct IdentifierTests {
    @Test(
        "quote doubles inner quotes",
        arguments: [
            ("we\"ird;name", "\"we\"\"ird;name\""), ("plain", "\"plain\""), ("Mixed Case", "\"Mixed Case\""),
            ("\"", "\"\"\"\""), ("表 🎉", "\"表 🎉\""),
        ])
    func quote(name: String, expected: String) {
        #expect(PostgresIdentifier.quote(name) == expected)
    }

    @Test(
        "split follows PostgreSQL's rules for qualified names",
        arguments: [
            ("public.items", ["public", "items"]), ("Sales.\"Order Items\"", ["sales", "Order Items"]),
            ("\"my.schema\".\"t\"\"x\"", ["my.schema", "t\"x"]), ("  Items ", ["items"]), ("a . b", ["a", "b"]),
            ("db.\"s\".t", ["db", "s", "t"]),
        ])
    func split(name: String, expected: [String]) throws {
        #expect(try PostgresIdentifier.split(name) == expected)
    }

    @Test("split rejects malformed names", arguments: ["", "a.", ".a", "\"open", "a b", "\"\"", "a\"b\""])
    func splitRejects(name: String) {
        #expect(throws: PostgresError.self) { try PostgresIdentifier.split(name) }
    }

    @Test("quoteQualified quotes each part")
    func quoteQualified() throws {
        #expect(try PostgresIdentifier.quoteQualified("Sales.\"Order Items\"") == "\"sales\".\"Order Items\"")
        #expect(PostgresIdentifier.quote(schema: "s\"1", name: "t;2") == "\"s\"\"1\".\"t;2\"")
    }

    @Test("hostile names are stored literally")
    func storedLiterally() async throws {
        let suffix = TestDatabase.uniqueName("")
        let schema = "sch\"ema; DROP SCHEMA public;--\(suffix)"
        let table = "we\"ird;name 表 🎉\(suffix)"
        let column = "Co\"l; DELETE FROM x; --"
        try await TestDatabase.withConnection { connection in
            let qualified = PostgresIdentifier.quote(schema: schema, name: table)
            try await connection.execute("CREATE SCHEMA \(PostgresIdentifier.quote(schema))")
            try await connection.execute("CREATE TABLE \(qualified) (\(PostgresIdentifier.quote(column)) text)")
            try await connection.execute("INSERT INTO \(qualified) VALUES ($1)", parameters: ["value"])
            let names = try await connection.queryAll(
                """
                SELECT n.nspname, c.relname, a.attname FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = 1
                WHERE n.nspname = $1
                """, parameters: [.text(schema)])
            #expect(names.first?.values == [.text(schema), .text(table), .text(column)])
            let rows = try await connection.queryAll("SELECT \(PostgresIdentifier.quote(column)) FROM \(qualified)")
            #expect(rows.first?.columns.first?.name == column)
            #expect(try PostgresIdentifier.split(qualified) == [schema, table])
            try await connection.execute("DROP SCHEMA \(PostgresIdentifier.quote(schema)) CASCADE")
        }
    }
}
