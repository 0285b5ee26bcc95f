import FlowPostgres
import Testing

@Suite("Connection")
struct ConnectionTests {
    @Test("connects and runs a simple query with column names and type OIDs")
    func simpleQuery() async throws {
        try await TestDatabase.withConnection { connection in
            #expect(connection.backendPID > 0)
            let rows = try await connection.queryAll("SELECT 1 AS one, 'a'::text AS letter, NULL::int4 AS nothing")
            try #require(rows.count == 1)
            #expect(rows[0].columns.map(\.name) == ["one", "letter", "nothing"])
            #expect(rows[0].columns.map(\.typeOID) == [PostgresTypeOID.int4, PostgresTypeOID.text, PostgresTypeOID.int4])
            #expect(rows[0][0] == .int(1))
            #expect(rows[0]["letter"] == .text("a"))
            #expect(rows[0]["nothing"] == nil)
            #expect(rows[0].texts == ["1", "a", nil])
        }
    }

    @Test("execute returns the command tag and the affected row count")
    func executeResult() async throws {
        let table = TestDatabase.uniqueName("exec")
        try await TestDatabase.withConnection { connection in
            let created = try await connection.execute("CREATE TABLE \(table) (id int PRIMARY KEY, name text)")
            #expect(created.commandTag == "CREATE TABLE")
            #expect(created.rowsAffected == 0)
            let inserted = try await connection.execute(
                "INSERT INTO \(table) VALUES ($1, $2), ($3, $4), ($5, $6)",
                parameters: [1, "a", 2, "b", 3, nil])
            #expect(inserted.commandTag == "INSERT 0 3")
            #expect(inserted.rowsAffected == 3)
            let updated = try await connection.execute("UPDATE \(table) SET name = 'z' WHERE id >= $1", parameters: [2])
            #expect(updated == PostgresCommandResult(rowsAffected: 2, commandTag: "UPDATE 2"))
            let script = try await connection.executeScript("DELETE FROM \(table) WHERE id = 1; DROP TABLE \(table)")
            #expect(script.commandTag == "DROP TABLE")
        }
    }

    @Test("a failed statement reports SQLSTATE and leaves the connection usable")
    func queryFailure() async throws {
        try await TestDatabase.withConnection { connection in
            let error = try await #require(throws: PostgresError.self) {
                try await connection.execute("SELEC 1")
            }
            #expect(error.code == .queryFailed)
            #expect(error.sqlState == "42601")
            #expect(!error.isRetryable)
            #expect(!error.isConnectionLoss)
            #expect(error.description.contains("SELEC 1"))

            let missing = try await #require(throws: PostgresError.self) {
                try await connection.queryAll("SELECT * FROM no_such_table_\(UInt32.random(in: 0...UInt32.max))")
            }
            #expect(missing.sqlState == "42P01")
            #expect(try await connection.queryAll("SELECT 2")[0][0] == .int(2))
        }
    }

    @Test("a second operation while one is in progress is refused, not interleaved")
    func busy() async throws {
        try await TestDatabase.withConnection { connection in
            try await connection.query("SELECT generate_series(1, 10)") { rows in
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.execute("SELECT 1")
                }
                #expect(error.code == .connectionBusy)
                var count = 0
                for try await _ in rows { count += 1 }
                #expect(count == 10)
            }
            try await connection.execute("SELECT 1")
        }
    }

    @Test("operations after close fail with connectionClosed")
    func closed() async throws {
        let connection = try await TestDatabase.connect()
        await connection.close()
        await connection.close()
        let error = try await #require(throws: PostgresError.self) { try await connection.execute("SELECT 1") }
        #expect(error.code == .connectionClosed)
    }

    @Test("a connection dropped without close ends its server session")
    func droppedWithoutClose() async throws {
        try await TestDatabase.withConnection { observer in
            var dropped: PostgresConnection? = try await TestDatabase.connect()
            let pid = try #require(dropped?.backendPID)
            try await dropped?.execute("SELECT 1")
            dropped = nil
            let gone = try await TestDatabase.waitUntil(seconds: 10) {
                try await observer.queryAll(
                    "SELECT 1 FROM pg_stat_activity WHERE pid = $1", parameters: [.int(Int64(pid))]
                ).isEmpty
            }
            #expect(gone)
        }
    }

    @Test("cancelling the task cancels the running statement on the server")
    func taskCancellation() async throws {
        try await TestDatabase.withConnection { connection in
            let start = ContinuousClock.now
            let task = Task { try await connection.execute("SELECT pg_sleep(30)") }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            let result = await task.result
            let error = try #require(throws: PostgresError.self) { try result.get() }
            #expect(error.sqlState == "57014")
            #expect(ContinuousClock.now - start < .seconds(10))
            #expect(try await connection.queryAll("SELECT 3")[0][0] == .int(3))
        }
    }
}

@Suite("Connection cancellation")
struct ConnectionCancellationTests {
    @Test("a task cancelled before the call does not run the statement")
    func cancelledBeforeStart() async throws {
        let table = TestDatabase.uniqueName("cancelled")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int)")
            let task = Task {
                while !Task.isCancelled { await Task.yield() }
                try await connection.execute("INSERT INTO \(table) VALUES (1)")
            }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            let count = try await connection.queryAll("SELECT count(*) FROM \(table)")
            #expect(count[0][0] == .int(0))
            try await connection.execute("DROP TABLE \(table)")
        }
    }
}
