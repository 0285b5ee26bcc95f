import FlowPostgres
import Testing

/// COPY's binary format (`PostgresCopyBuffer(binary:)`) against the text format on the same rows: the
/// server must store exactly the same values, and fail on the same ones.
@Suite("COPY FROM STDIN (FORMAT binary)")
struct CopyBinaryTests {
    static let columns: [PostgresCopyBinary.Column] = [.int8, .int4, .int2, .float8, .bool, .text, .text, .text, .text, .jsonb]
    static let definition = "id int8, i int4, s int2, d float8, b bool, t text, v varchar(12), c char(3), j json, jb jsonb"

    static let doubles: [Double] = [
        0, -0.0, 1708.28, -0.5, 1e16, 5e-324, -2.2250738585072014e-308, 1.7976931348623157e308, .infinity, -.infinity,
        0.1 + 0.2, 123456789.123456789,
    ]

    /// Row `index`: every column's type with extremes, hostile text and NULLs.
    static func row(_ index: Int) -> [PostgresValue?] {
        let texts = CopyTests.hostile
        let ints: [Int64] = [.min, .max, 0, -1, 42]
        let int4s: [Int64] = [Int64(Int32.min), Int64(Int32.max), 0, -7]
        let int2s: [Int64] = [Int64(Int16.min), Int64(Int16.max), 0, 300]
        let shorts = ["", "a", "\\.", "tab\t", "é🎉", "twelve chars"]
        let jsons = [#"{"a":[1,2,{"b":null}]}"#, #""str\"ing""#, "[]", #"{"k":"v","n":1.50}"#, "null", #""\u00e9""#]
        return [
            .int(index % 5 == 0 ? ints[index / 5 % ints.count] : Int64(index)),
            index % 6 == 5 ? nil : .int(int4s[index % int4s.count]),
            index % 7 == 6 ? nil : .int(int2s[index % int2s.count]),
            index % 13 == 12 ? nil : .double(doubles[index % doubles.count]),
            index % 3 == 2 ? nil : .bool(index % 2 == 0),
            texts[index % texts.count].map { .text($0) },
            .text(shorts[index % shorts.count]),
            index % 4 == 3 ? nil : .text(["a", "ab", "abc", "é"][index % 4]),
            .text(jsons[index % jsons.count]),
            .text(jsons[(index + 1) % jsons.count]),
        ]
    }

    static func encode(_ rows: Range<Int>, binary: Bool) -> PostgresCopyBuffer {
        var buffer = PostgresCopyBuffer(binary: binary ? columns : nil)
        for index in rows {
            for value in row(index) {
                let fits = buffer.append(value)
                #expect(fits)
            }
            buffer.endRow()
        }
        return buffer
    }

    @Test("every column type stores the same values as the text format, NaN included")
    func sameValuesAsText() async throws {
        let binaryTable = TestDatabase.uniqueName("copybin_b")
        let textTable = TestDatabase.uniqueName("copybin_t")
        let count = 3000
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(binaryTable) (n int8, \(Self.definition))")
            try await connection.execute("CREATE TABLE \(textTable) (n int8, \(Self.definition))")
            let binary = Self.encode(0..<count, binary: true)
            let text = Self.encode(0..<count, binary: false)
            #expect(binary.rowCount == count)
            let stored = try await connection.copyIn(
                "COPY \(binaryTable) (id, i, s, d, b, t, v, c, j, jb) FROM STDIN (FORMAT binary)", rows: binary).stored
            #expect(stored == count)
            #expect(try await connection.copyIn("COPY \(textTable) (id, i, s, d, b, t, v, c, j, jb) FROM STDIN", rows: text).stored == count)
            // A NaN, which JSON cannot hold but a caller may append.
            var nan = PostgresCopyBuffer(binary: [.int8, .float8])
            nan.append(Int64(1))
            nan.append(Double.nan)
            nan.endRow()
            #expect(try await connection.copyIn("COPY \(binaryTable) (n, d) FROM STDIN (FORMAT binary)", rows: nan).stored == 1)

            // Compared as the server's own text of every value, in insertion order.
            let columns = "id, i, s, d::text, b, t, v, c, j::text, jb::text"
            let fromBinary = try await connection.queryAll("SELECT \(columns) FROM \(binaryTable) WHERE n IS NULL ORDER BY ctid")
            let fromText = try await connection.queryAll("SELECT \(columns) FROM \(textTable) ORDER BY ctid")
            #expect(fromBinary.count == count)
            var differences = 0
            for (a, b) in zip(fromBinary, fromText) where a.values != b.values {
                differences += 1
                if differences <= 3 { Issue.record("binary \(a.values) vs text \(b.values)") }
            }
            #expect(differences == 0)
            // Bit for bit: -0 and the smallest subnormal survive.
            let zero = try await connection.queryAll("SELECT count(*) FROM \(binaryTable) WHERE d::text = '-0'")
            #expect(zero.first?[0] == .int(Int64((0..<count).filter { $0 % 13 != 12 && $0 % Self.doubles.count == 1 }.count)))
            #expect(try await connection.queryAll("SELECT d::text FROM \(binaryTable) WHERE n = 1").first?[0] == .text("NaN"))
            try await connection.execute("DROP TABLE \(binaryTable), \(textTable)")
        }
    }

    @Test("a binary COPY streamed in several buffers through the writer, with header and trailer sent once")
    func streamed() async throws {
        let table = TestDatabase.uniqueName("copybin_s")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (n int8, \(Self.definition))")
            let stored = try await connection.copyIn("COPY \(table) (id, i, s, d, b, t, v, c, j, jb) FROM STDIN (FORMAT binary)", binary: true) { writer in
                for start in stride(from: 0, to: 20_000, by: 5000) {
                    try await writer.write(Self.encode(start..<start + 5000, binary: true))
                }
                // Rows of the other format, or of values, are refused before anything is sent.
                await #expect(throws: PostgresError.self) { try await writer.write(Self.encode(0..<1, binary: false)) }
                await #expect(throws: PostgresError.self) { try await writer.write([.int(1)]) }
                #expect(writer.rowCount == 20_000)
            }
            #expect(stored == 20_000)
            #expect(try await connection.queryAll("SELECT count(DISTINCT t), count(*) FROM \(table)").first?.values
                == [.int(Int64(Set(CopyTests.hostile.compactMap { $0 }).count)), .int(20_000)])
            // An empty binary COPY: the header and trailer alone.
            #expect(try await connection.copyIn("COPY \(table) (id) FROM STDIN (FORMAT binary)", binary: true) { _ in } == 0)
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("integers out of a smallint or integer column's range are refused before they are written")
    func ranges() {
        var rows = PostgresCopyBuffer(binary: [.int2, .int4, .int8])
        let a = rows.append(Int64(Int16.max))
        #expect(a)
        let b = rows.append(Int64(Int32.min))
        #expect(b)
        let c = rows.append(Int64.min)
        #expect(c)
        rows.endRow()
        let length = rows.bytes.count
        #expect(length == 2 + (4 + 2) + (4 + 4) + (4 + 8))
        let d = rows.append(Int64(Int16.max) + 1)
        #expect(!d)
        rows.discardRow(from: length)
        rows.appendNull()
        let e = rows.append(Int64(Int32.max) + 1)
        #expect(!e)
        rows.discardRow(from: length)
        #expect(rows.bytes.count == length)
        #expect(rows.rowCount == 1)
    }

    @Test("the server's checks fail the same rows, naming the line and the column")
    func serverChecks() async throws {
        let table = TestDatabase.uniqueName("copybin_e")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int8, v varchar(3), j json, jb jsonb, t text)")
            let cases: [(field: Int, value: String, expected: String)] = [
                (1, "toolong", "value too long for type character varying(3)"),
                (2, "{not json", "invalid input syntax for type json"),
                (3, "[1,", "invalid input syntax for type json"),
                (4, "nul\u{0}byte", "invalid byte sequence for encoding \"UTF8\": 0x00"),
            ]
            for (field, value, expected) in cases {
                for binary in [true, false] {
                    var rows = PostgresCopyBuffer(binary: binary ? [.int8, .text, .text, .jsonb, .text] : nil)
                    for line in 1...3 {
                        rows.append(Int64(line))
                        for k in 1...4 {
                            if line == 2 && k == field { rows.append(value) } else { rows.append(k == 2 || k == 3 ? "1" : "a") }
                        }
                        rows.endRow()
                    }
                    let error = try await #require(throws: PostgresError.self) {
                        try await connection.copyIn(
                            "COPY \(table) FROM STDIN\(binary ? " (FORMAT binary)" : "")", rows: rows)
                    }
                    #expect(error.message.contains(expected), "\(binary ? "binary" : "text"): \(error)")
                    #expect(error.context?.contains("line 2") == true, "\(binary ? "binary" : "text"): \(error)")
                }
            }
            #expect(try await connection.queryAll("SELECT count(*) FROM \(table)").first?[0] == .int(0))
            try await connection.execute("DROP TABLE \(table)")
        }
    }
}
