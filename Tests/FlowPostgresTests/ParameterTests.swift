import FlowPostgres
import Testing

@Suite("Parameters and decoding")
struct ParameterTests {
    static let unicode = "Grüße, 世界! 🎉👩‍👩‍👧 e\u{301} עברית \u{200B}'\"\\;--"

    @Test("parameters round-trip, including NULL and unicode")
    func roundTrip() async throws {
        try await TestDatabase.withConnection { connection in
            let rows = try await connection.queryAll(
                """
                SELECT $1::text AS t, $2::int8 AS i, $3::float8 AS f, $4::bool AS b, $5::numeric AS n,
                       $6::jsonb AS j, $7::bytea AS y, $8::text AS null_text, $9::int4 AS null_int
                """,
                parameters: [
                    .text(Self.unicode), .int(-9_223_372_036_854_775_808), .double(0.1), .bool(true),
                    .numeric("12345678901234567890.000000000001"), .json(#"{"a": [1, "\u00e9"]}"#),
                    .bytes([0, 1, 254, 255]), nil, nil,
                ])
            let row = try #require(rows.first)
            #expect(row["t"] == .text(Self.unicode))
            #expect(row["i"] == .int(Int64.min))
            #expect(row["f"] == .double(0.1))
            #expect(row["b"] == .bool(true))
            #expect(row["n"] == .numeric("12345678901234567890.000000000001"))
            #expect(row["j"] == .json(#"{"a": [1, "é"]}"#))
            #expect(row["y"] == .bytes([0, 1, 254, 255]))
            #expect(row["null_text"] == nil)
            #expect(row["null_int"] == nil)
            #expect(row.texts[7] == nil)
        }
    }

    @Test("values are stored exactly and NULL stays distinct from empty text")
    func storedValues() async throws {
        let table = TestDatabase.uniqueName("params")
        try await TestDatabase.withConnection { connection in
            try await connection.execute("CREATE TABLE \(table) (id int, value text)")
            for (id, value) in [(1, PostgresValue?.some(.text(Self.unicode))), (2, nil), (3, .text(""))] {
                try await connection.execute("INSERT INTO \(table) VALUES ($1, $2)", parameters: [.int(Int64(id)), value])
            }
            let rows = try await connection.queryAll("SELECT value, value IS NULL FROM \(table) ORDER BY id")
            #expect(rows.map { $0[0] } == [.text(Self.unicode), nil, .text("")])
            #expect(rows.map { $0[1] } == [.bool(false), .bool(true), .bool(false)])
            try await connection.execute("DROP TABLE \(table)")
        }
    }

    @Test("decodes the basic types from the text format")
    func decoding() async throws {
        try await TestDatabase.withConnection { connection in
            let row = try #require(
                try await connection.queryAll(
                    """
                    SELECT 7::int2, 8::int4, 9::int8, 1.5::float4, 'NaN'::float8, '-Infinity'::float8,
                           false, 'x'::varchar, '1.10'::numeric, '[1,2]'::json,
                           '2024-02-29 12:34:56.789'::timestamp, '2024-02-29'::date, 'ab'::char(3)
                    """
                ).first)
            #expect(row[0] == .int(7))
            #expect(row[1] == .int(8))
            #expect(row[2] == .int(9))
            #expect(row[3] == .double(1.5))
            #expect(row[4]?.double?.isNaN == true)
            #expect(row[5] == .double(-.infinity))
            #expect(row[6] == .bool(false))
            #expect(row[7] == .text("x"))
            #expect(row[8] == .numeric("1.10"))
            #expect(row[8]?.double == 1.1)
            #expect(row[9] == .json("[1,2]"))
            #expect(row[10] == .text("2024-02-29 12:34:56.789"))
            #expect(row[11] == .text("2024-02-29"))
            #expect(row[12] == .text("ab "))
        }
    }

    @Test("doubles keep full precision and special values")
    func doubles() async throws {
        try await TestDatabase.withConnection { connection in
            let values: [Double] = [0.1 + 0.2, 1e-300, -1.7976931348623157e308, .infinity, -.infinity]
            let rows = try await connection.queryAll(
                "SELECT $1::float8, $2::float8, $3::float8, $4::float8, $5::float8", parameters: values.map { .double($0) })
            #expect(rows[0].values == values.map { .double($0) })
        }
    }

    @Test("a parameter with a NUL character is refused before it is cut short")
    func nulCharacter() async throws {
        try await TestDatabase.withConnection { connection in
            let error = try await #require(throws: PostgresError.self) {
                try await connection.execute("SELECT $1::text", parameters: [.text("a\u{0}b")])
            }
            #expect(error.code == .invalidParameter)
            #expect(error.message.contains("$1"))
        }
    }
}
