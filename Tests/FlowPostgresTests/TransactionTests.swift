import FlowPostgres
import Testing

@Suite("Transactions")
struct TransactionTests {
    @Test("rollback leaves nothing behind")
    func rollback() async throws {
        let table = TestDatabase.uniqueName("tx")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int)")
            try await connection.begin()
            try await connection.execute("INSERT INTO \(table) SELECT generate_series(1, 100)")
            try await connection.copyIn("COPY \(table) (id) FROM STDIN", rows: [[.int(101)]])
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)")[0][0] == .int(101))
            try await connection.rollback()
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)")[0][0] == .int(0))
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("withTransaction commits on return and rolls back on throw")
    func withTransaction() async throws {
        struct Stop: Error {}
        let table = TestDatabase.uniqueName("txblock")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int)")
            await #expect(throws: Stop.self) {
                try await connection.withTransaction { tx in
                    try await tx.execute("INSERT INTO \(table) VALUES (1)")
                    throw Stop()
                }
            }
            let inserted = try await connection.withTransaction { tx in
                try await tx.execute("INSERT INTO \(table) VALUES (2), (3)").rowsAffected
            }
            #expect(inserted == 2)
            let rows = try await connection.queryAll("SELECT id FROM \(table) ORDER BY id")
            #expect(rows.map { $0[0] } == [.int(2), .int(3)])
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("committing a failed transaction throws instead of pretending")
    func commitAfterError() async throws {
        try await TestDatabase.withConnection { connection in
            try await connection.begin()
            await #expect(throws: PostgresError.self) { try await connection.execute("SELECT 1/0") }
            let inFailed = try await #require(throws: PostgresError.self) { try await connection.execute("SELECT 1") }
            #expect(inFailed.sqlState == "25P02")
            let error = try await #require(throws: PostgresError.self) { try await connection.commit() }
            #expect(error.message.contains("rolled back"))
            #expect(try await connection.queryAll("SELECT 1")[0][0] == .int(1))
        }
    }
}
