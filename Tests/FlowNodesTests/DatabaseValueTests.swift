import FlowJSON
import Testing

@testable import FlowNodes

/// Value checks and conversions shared by the database nodes, without a database.
@Suite struct DatabaseValueTests {
    @Test(arguments: [
        ("BIGINT", ColumnKind.integer), ("int", .integer), ("INTEGER PRIMARY KEY", .integer), ("bigint not null", .integer),
        ("serial", .integer), ("DOUBLE PRECISION", .double), ("real", .double), ("float8", .double),
        ("numeric(10,2)", .numeric), ("DECIMAL", .numeric), ("BOOLEAN", .boolean), ("text", .text),
        ("character varying(40)", .text), ("VARCHAR(40)", .text), ("jsonb", .json), ("JSON", .json),
        ("", .untyped), ("timestamp with time zone", .other), ("date", .other), ("text[]", .other), ("uuid", .other),
        ("point", .other), ("interval", .other),
    ])
    func kindsOfSQLTypes(_ type: String, _ kind: ColumnKind) {
        #expect(ColumnKind(sqlType: type) == kind)
    }

    @Test func conversions() {
        #expect(ColumnKind.integer.convert(3.0, dialect: .postgres) == .int(3))
        #expect(ColumnKind.integer.convert(3.5, dialect: .postgres) == nil)
        #expect(ColumnKind.integer.convert(1e300, dialect: .postgres) == nil)
        #expect(ColumnKind.integer.convert(true, dialect: .postgres) == nil)
        #expect(ColumnKind.integer.convert(true, dialect: .sqlite) == .int(1))
        #expect(ColumnKind.integer.convert("3", dialect: .postgres) == nil)
        #expect(ColumnKind.double.convert(2, dialect: .postgres) == .double(2))
        #expect(ColumnKind.numeric.convert("12.50", dialect: .postgres) == .text("12.50"))
        #expect(ColumnKind.numeric.convert("12,50", dialect: .postgres) == nil)
        #expect(ColumnKind.boolean.convert(false, dialect: .sqlite) == .int(0))
        #expect(ColumnKind.boolean.convert("true", dialect: .postgres) == nil)
        #expect(ColumnKind.text.convert(12.5, dialect: .postgres) == .text("12.5"))
        #expect(ColumnKind.text.convert(["a": 1], dialect: .postgres) == .text("{\"a\":1}"))
        #expect(ColumnKind.json.convert("s", dialect: .postgres) == .text("\"s\""))
        #expect(ColumnKind.other.convert(["x"], dialect: .postgres) == nil)
        #expect(ColumnKind.other.convert(nil, dialect: .postgres) == .null)
    }

    @Test func inference() {
        #expect(TypeInference.sqlType(for: [nil, 1, 2.5], dialect: .postgres) == "DOUBLE PRECISION")
        #expect(TypeInference.sqlType(for: [1, "a"], dialect: .sqlite) == "TEXT")
        #expect(TypeInference.sqlType(for: [nil, nil], dialect: .postgres) == "TEXT")
        #expect(TypeInference.sqlType(for: [[1]], dialect: .postgres) == "JSONB")
        #expect(TypeInference.sqlType(for: [["a": 1]], dialect: .sqlite) == "TEXT")
        #expect(TypeInference.sqlType(for: [true], dialect: .sqlite) == "BOOLEAN")
    }

    @Test(arguments: [
        ("12", JSON.int(12)), ("-0.000123", .double(-0.000123)), ("1.500", .double(1.5)), ("12.000", .double(12)),
        ("123456789012345", .int(123456789012345)), ("0.1234567890123456", .string("0.1234567890123456")),
        ("99999999999999999999", .string("99999999999999999999")), ("NaN", .string("NaN")),
    ])
    func postgresNumerics(_ text: String, _ value: JSON) {
        #expect(PostgresDecoder.numeric(text) == value)
    }

    @Test func typesAreKeptPlain() {
        #expect(JDBCOutputNode.isPlainType("numeric(10,2)"))
        #expect(JDBCOutputNode.isPlainType("timestamp with time zone"))
        #expect(JDBCOutputNode.isPlainType("text[]"))
        #expect(!JDBCOutputNode.isPlainType("BIGINT); DROP TABLE x; --"))
        #expect(!JDBCOutputNode.isPlainType("text DEFAULT 'x'"))
    }
}
