import FlowPostgres
import Testing

@Suite("COPY FROM STDIN")
struct CopyTests {
    /// Values that break naive COPY encoders.
    static let hostile: [String?] = [
        "tab\there", "new\nline", "carriage\rreturn", "crlf\r\n", "back\\slash", "\\N", "\\.", ".", "\\",
        "ends with backslash\\", "quote'single", "quote\"double", "comma,semi;colon|pipe", "", " ",
        "unicode ✓ 日本語 🎉 e\u{301}", "\u{7f}\u{1}\u{1b}[0m", "\\t literal backslash-t", String(repeating: "ab\t", count: 3000),
        nil,
    ]

    static func row(_ index: Int) -> [PostgresValue?] {
        let text = hostile[index % hostile.count]
        let other = hostile[(index * 7 + 3) % hostile.count]
        return [.int(Int64(index)), text.map { .text($0) }, other.map { .text("\(index):\($0)") }, .double(Double(index) / 3)]
    }

    @Test("100k rows with hostile values round-trip exactly")
    func hostileRoundTrip() async throws {
        let table = TestDatabase.uniqueName("copy")
        let count = 100_000
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8 PRIMARY KEY, a text, b text, c float8)")
            let stored = try await connection.copyIn("COPY \(table) (id, a, b, c) FROM STDIN") { writer in
                for index in 0..<count { try await writer.write(Self.row(index)) }
                #expect(writer.rowCount == count)
            }
            #expect(stored == count)
            var seen = 0
            var mismatches = 0
            try await connection.query("SELECT id, a, b, c FROM \(table) ORDER BY id") { rows in
                for try await row in rows {
                    if row.values != Self.row(seen) {
                        mismatches += 1
                        if mismatches <= 3 { Issue.record("row \(seen) differs: \(row.values) vs \(Self.row(seen))") }
                    }
                    seen += 1
                }
            }
            #expect(seen == count)
            #expect(mismatches == 0)
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("a body that throws aborts the COPY and stores nothing")
    func abortedByBody() async throws {
        struct Stop: Error {}
        let table = TestDatabase.uniqueName("copyabort")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8)")
            await #expect(throws: Stop.self) {
                try await connection.copyIn("COPY \(table) (id) FROM STDIN") { writer in
                    for index in 0..<50_000 { try await writer.write([.int(Int64(index))]) }
                    throw Stop()
                }
            }
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)")[0][0] == .int(0))
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("bad data fails with the server's error and leaves the connection usable")
    func badData() async throws {
        let table = TestDatabase.uniqueName("copybad")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8)")
            let error = try await #require(throws: PostgresError.self) {
                try await connection.copyIn("COPY \(table) (id) FROM STDIN", rows: [[.int(1)], [.text("not a number")]])
            }
            #expect(error.code == .copyFailed)
            #expect(error.sqlState == "22P02")
            #expect(error.context?.contains("line 2") == true)
            let wrong = try await #require(throws: PostgresError.self) {
                try await connection.copyIn("SELECT 1", rows: [[.int(1)]])
            }
            #expect(wrong.code == .copyFailed)
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)")[0][0] == .int(0))
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("rows from an async sequence")
    func asyncSequence() async throws {
        let table = TestDatabase.uniqueName("copyasync")
        let (stream, continuation) = AsyncStream.makeStream(of: [PostgresValue?].self)
        for index in 0..<1000 { continuation.yield([.int(Int64(index)), index % 2 == 0 ? nil : .text("odd")]) }
        continuation.finish()
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8, note text)")
            #expect(try await connection.copyIn("COPY \(table) (id, note) FROM STDIN", rows: stream) == 1000)
            let counts = try await connection.queryAll("SELECT count(*), count(note) FROM \(table)")
            #expect(counts[0].values == [.int(1000), .int(500)])
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test(
        "escapes backslash, tab, newline and carriage return; NULL is \\N",
        arguments: [
            ("plain", "plain"), ("a\tb", "a\\tb"), ("a\nb", "a\\nb"), ("a\rb", "a\\rb"), ("a\\b", "a\\\\b"),
            ("\\N", "\\\\N"), ("\\.", "\\\\."), ("'\"", "'\""), ("é🎉", "é🎉"),
        ])
    func escaping(input: String, expected: String) {
        #expect(PostgresCopyText.escape(input) == expected)
    }

    @Test(
        "numbers are written as PostgreSQL reads them back",
        arguments: [
            (PostgresValue.int(0), "0"), (.int(-7), "-7"), (.int(.max), "9223372036854775807"),
            (.int(.min), "-9223372036854775808"), (.double(1708.28), "1708.28"), (.double(-0.5), "-0.5"),
            (.double(1e16), "1e+16"), (.double(.infinity), "Infinity"), (.double(-.infinity), "-Infinity"),
            (.bool(false), "f"), (.numeric("12.50"), "12.50"),
        ])
    func numberEncoding(value: PostgresValue, expected: String) {
        var rows = PostgresCopyBuffer()
        rows.append(value)
        rows.endRow()
        #expect(String(decoding: rows.bytes, as: UTF8.self) == expected + "\n")
        #expect(rows.rowCount == 1)
    }

    @Test("rows encoded ahead, larger than one send, round-trip exactly")
    func encodedAhead() async throws {
        let table = TestDatabase.uniqueName("copy_ahead")
        let count = 20_000
        func row(_ index: Int) -> [PostgresValue?] {
            let extremes: [Int64] = [.min, .max, 0, -1]
            return [.int(Int64(index)), .int(extremes[index % 4]), .double(Double(index) * 1e-7),
                    Self.hostile[index % Self.hostile.count].map { .text($0) }]
        }
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8 PRIMARY KEY, n int8, d float8, t text)")
            var rows = PostgresCopyBuffer()
            for index in 0..<count {
                for value in row(index) { rows.append(value) }
                rows.endRow()
            }
            #expect(rows.bytes.count > PostgresCopyWriter.chunkSize)
            let stored = try await connection.copyIn("COPY \(table) FROM STDIN") { writer in
                try await writer.write([.int(-1), nil, nil, .text("written row by row first")])
                try await writer.write(rows)
                #expect(writer.rowCount == count + 1)
            }
            #expect(stored == count + 1)
            var seen = 0
            try await connection.query("SELECT id, n, d, t FROM \(table) WHERE id >= 0 ORDER BY id") { result in
                for try await stored in result {
                    if stored.values != row(seen) { Issue.record("row \(seen) differs: \(stored.values)") }
                    seen += 1
                }
            }
            #expect(seen == count)
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("a COPY of encoded rows and the statements after it run as one job")
    func copyThenStatements() async throws {
        let table = TestDatabase.uniqueName("copy_then")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8 PRIMARY KEY, t text)")
            var rows = PostgresCopyBuffer()
            for index in 1...3 {
                rows.append(Int64(index))
                rows.append("row\t\(index)")
                rows.endRow()
            }
            let (stored, results) = try await connection.copyIn(
                "COPY \(table) FROM STDIN", rows: rows,
                then: ["SELECT count(*), max(t) FROM \(table)", "DELETE FROM \(table) WHERE id = 1"])
            #expect(stored == 3)
            #expect(results.count == 2)
            #expect(results[0].first?.values == [.int(3), .text("row\t3")])
            #expect(results[1].isEmpty)

            // Bad data: the COPY's error, and the statements after it do not run.
            var bad = PostgresCopyBuffer()
            bad.append("not a number")
            bad.append("x")
            bad.endRow()
            await #expect(throws: PostgresError.self) {
                _ = try await connection.copyIn("COPY \(table) FROM STDIN", rows: bad, then: ["DROP TABLE \(table)"])
            }
            do {
                _ = try await connection.copyIn("COPY \(table) FROM STDIN", rows: bad)
            } catch let error as PostgresError {
                #expect(error.code == .copyFailed)
                #expect(error.context?.contains("line 1") == true, "\(error)")
            }
            // A failing statement after the COPY fails the call; the connection stays usable.
            var good = PostgresCopyBuffer()
            good.append(Int64(9))
            good.appendNull()
            good.endRow()
            do {
                _ = try await connection.copyIn("COPY \(table) FROM STDIN", rows: good, then: ["SELECT 1/0"])
                Issue.record("division by zero did not fail")
            } catch let error as PostgresError {
                #expect(error.code == .queryFailed)
                #expect(error.sqlState == "22012")
            }
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)").first?[0] == .int(3))
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("encodes a row with tabs between columns and a newline at the end")
    func rowEncoding() {
        var buffer: [UInt8] = []
        PostgresCopyText.appendRow([.int(1), nil, .text("x\ty"), .bool(true), .double(.nan)], to: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self) == "1\t\\N\tx\\ty\tt\tNaN\n")
    }
}
