import FlowJSON

/// What a column's SQL type accepts, which decides how record values are checked and converted.
enum ColumnKind: Sendable, Equatable {
    case integer
    case double
    /// numeric / decimal: numbers and numeric strings, sent as exact decimal text.
    case numeric
    case boolean
    case text
    case json
    /// SQLite columns declared without a type: values are stored as they are.
    case untyped
    /// Dates, timestamps, uuids...: strings are sent as they are and the database parses them.
    case other

    init(sqlType: String) {
        var text = sqlType.lowercased()
        if let paren = text.firstIndex(of: "(") { text = String(text[..<paren]) }
        if text.contains("[]") || text.contains(" array") {
            self = .other
            return
        }
        // The type name is the first word, or the first two for the two-word names; what follows
        // (`NOT NULL`, `UNSIGNED`, `WITH TIME ZONE`) does not change what the column accepts.
        let words = text.split(whereSeparator: \.isWhitespace)
        var base = words.first.map(String.init) ?? ""
        if words.count > 1, ["double", "character"].contains(base) { base += " " + words[1] }
        switch base {
        case "": self = .untyped
        case "int", "integer", "bigint", "smallint", "tinyint", "mediumint", "int2", "int4", "int8",
            "serial", "bigserial", "smallserial", "serial4", "serial8", "long":
            self = .integer
        case "double precision", "double", "float", "float4", "float8", "real": self = .double
        case "numeric", "decimal", "number": self = .numeric
        case "boolean", "bool": self = .boolean
        case "text", "varchar", "character varying", "char", "character", "bpchar", "string", "clob", "name",
            "nvarchar", "nchar", "citext":
            self = .text
        case "json", "jsonb": self = .json
        default: self = .other
        }
    }

    /// Converts `value` for a column of this kind, or throws what was expected.
    ///
    /// - integer: integers, and doubles without a fractional part (SQLite also takes booleans as 0/1);
    /// - double: numbers; numeric: numbers and strings holding a decimal number;
    /// - boolean: booleans; text: any value, numbers and booleans as their JSON text, arrays and objects as JSON;
    /// - json: any value, as JSON text; other: strings and numbers as text, for the database to parse.
    @inline(__always)
    func convert(_ value: JSON, dialect: SQLDialect) -> SQLCell? {
        switch (self, value) {
        case (_, .null): return .null
        case (.integer, .int(let i)): return .int(Int64(i))
        case (.integer, .double(let d)):
            guard d.isFinite, d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
            return .int(Int64(d))
        case (.integer, .bool(let b)) where dialect == .sqlite: return .int(b ? 1 : 0)
        case (.double, .int(let i)): return .double(Double(i))
        case (.double, .double(let d)): return .double(d)
        case (.numeric, .int(let i)): return .text(String(i))
        case (.numeric, .double(let d)): return d.isFinite ? .text(JSON.format(double: d)) : nil
        case (.numeric, .string(let s)): return Self.isDecimal(s) ? .text(s) : nil
        case (.boolean, .bool(let b)): return dialect == .sqlite ? .int(b ? 1 : 0) : .bool(b)
        case (.text, .string(let s)), (.other, .string(let s)): return .text(s)
        case (.text, _), (.other, .int), (.other, .double), (.other, .bool): return .text(Self.jsonText(value))
        case (.json, _): return .text(value.serialized())
        case (.untyped, .int(let i)): return .int(Int64(i))
        case (.untyped, .double(let d)): return .double(d)
        case (.untyped, .bool(let b)): return .int(b ? 1 : 0)
        case (.untyped, .string(let s)): return .text(s)
        case (.untyped, _): return .text(value.serialized())
        default: return nil
        }
    }

    /// Strings as they are, everything else as JSON.
    static func jsonText(_ value: JSON) -> String {
        if case .string(let s) = value { return s }
        return value.serialized()
    }

    /// `12`, `-0.5`, `1e3`: a decimal number PostgreSQL's numeric accepts.
    static func isDecimal(_ s: String) -> Bool {
        var digits = false
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return false
            }
        }
        return digits && Double(s) != nil
    }
}
