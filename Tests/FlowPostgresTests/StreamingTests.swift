import FlowPostgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Streaming queries")
struct StreamingTests {
    /// Resident set size of this process in bytes, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var size = 0
        var resident = 0
        guard fscanf_pair(file, &size, &resident) else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    static func fscanf_pair(_ file: UnsafeMutablePointer<FILE>, _ a: inout Int, _ b: inout Int) -> Bool {
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let bytes = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        let text = String(decoding: bytes, as: UTF8.self)
        let fields = text.split { $0 == " " || $0 == "\n" }.compactMap { Int(String($0)) }
        guard fields.count >= 2 else { return false }
        (a, b) = (fields[0], fields[1])
        return true
    }

    @Test("1,000,000 rows stream with bounded memory while the server waits on the client")
    func millionRows() async throws {
        let streaming = try await TestDatabase.connect()
        let observer = try await TestDatabase.connect()
        let padding = 300
        let baseline = Self.residentBytes()
        var peak = baseline
        var count = 0
        var waitedOnClient = false
        let tag = try await streaming.query(
            "SELECT i, repeat('x', \(padding)) AS pad FROM generate_series(1, 1000000) AS i", batchSize: 500
        ) { rows in
            #expect(rows.columns.map(\.name) == ["i", "pad"])
            for try await row in rows {
                count += 1
                if row.texts[0] != String(count) || row.texts[1]?.utf8.count != padding {
                    Issue.record("row \(count) is \(row.texts)")
                    break
                }
                if count == 1000 {
                    // We stopped reading: the server must be blocked writing to us, not buffering in our memory.
                    waitedOnClient = try await TestDatabase.waitUntil(seconds: 10) {
                        let activity = try await observer.queryAll(
                            "SELECT state, wait_event FROM pg_stat_activity WHERE pid = $1",
                            parameters: [.int(Int64(streaming.backendPID))])
                        return activity.first?["state"] == .text("active")
                            && activity.first?["wait_event"] == .text("ClientWrite")
                    }
                }
                if count % 50_000 == 0 { peak = max(peak, Self.residentBytes()) }
            }
            return rows.commandTag
        }
        await streaming.close()
        await observer.close()
        #expect(count == 1_000_000)
        #expect(tag == "SELECT 1000000")
        #expect(waitedOnClient, "the server never blocked on ClientWrite: rows are not fetched on demand")
        // The full result is over 300 MB of text; a streaming client needs a small, constant amount.
        #expect(peak - baseline < 64 * 1024 * 1024, "RSS grew by \((peak - baseline) / 1_048_576) MB")
    }

    @Test("stopping early cancels the rest and leaves the connection usable")
    func earlyExit() async throws {
        try await TestDatabase.withConnection { connection in
            let start = ContinuousClock.now
            let firstTen = try await connection.query("SELECT generate_series(1, 50000000)") { rows in
                var taken: [Int64] = []
                for try await row in rows {
                    taken.append(row[0]?.int ?? -1)
                    if taken.count == 10 { break }
                }
                return taken
            }
            #expect(firstTen == Array(1...10))
            #expect(try await connection.queryAll("SELECT 42")[0][0] == .int(42))
            #expect(ContinuousClock.now - start < .seconds(10))
        }
    }

    @Test("a body that throws ends the query and rethrows")
    func bodyThrows() async throws {
        struct Stop: Error {}
        try await TestDatabase.withConnection { connection in
            await #expect(throws: Stop.self) {
                try await connection.query("SELECT i FROM generate_series(1, 1000000) AS i") { rows in
                    for try await _ in rows { throw Stop() }
                }
            }
            let after = try await connection.queryAll("SELECT 'ok'")
            #expect(after[0][0] == .text("ok"))
        }
    }

    @Test("an error in the middle of a result is thrown from the iteration")
    func errorMidStream() async throws {
        try await TestDatabase.withConnection { connection in
            var seen = 0
            let error = try await #require(throws: PostgresError.self) {
                try await connection.query(
                    "SELECT 10 / (5000 - i) FROM generate_series(1, 10000) AS i", batchSize: 100
                ) { rows in
                    for try await _ in rows { seen += 1 }
                }
            }
            #expect(error.sqlState == "22012")
            #expect(seen > 0)
            #expect(try await connection.queryAll("SELECT 1")[0][0] == .int(1))
        }
    }

    @Test("a query without rows still describes its columns")
    func emptyResult() async throws {
        try await TestDatabase.withConnection { connection in
            try await connection.query("SELECT 1 AS a, 'x'::text AS b WHERE false") { rows in
                #expect(rows.columns == [
                    PostgresColumn(name: "a", typeOID: PostgresTypeOID.int4),
                    PostgresColumn(name: "b", typeOID: PostgresTypeOID.text),
                ])
                var count = 0
                for try await _ in rows { count += 1 }
                #expect(count == 0)
                #expect(rows.commandTag == "SELECT 0")
            }
        }
    }
}
