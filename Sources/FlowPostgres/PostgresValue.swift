/// A PostgreSQL value: a query parameter, or a column value decoded from the text format.
///
/// SQL NULL is `nil` of `PostgresValue?`. Parameters are sent in the text format and the server infers
/// their types from the statement (`$1::int` to be explicit).
public enum PostgresValue: Sendable, Hashable {
    /// text, varchar, char, name, timestamps, dates, uuid and every type without a case of its own.
    case text(String)
    /// bool.
    case bool(Bool)
    /// int2, int4, int8, oid.
    case int(Int64)
    /// float4, float8 (including NaN and the infinities).
    case double(Double)
    /// numeric, as exact decimal text (`Double(text)` when precision does not matter).
    case numeric(String)
    /// json and jsonb, as JSON text.
    case json(String)
    /// bytea.
    case bytes([UInt8])

    /// The value in PostgreSQL's text format: what is sent as a parameter and written by COPY.
    public var textRepresentation: String {
        switch self {
        case .text(let string), .numeric(let string), .json(let string): return string
        case .bool(let value): return value ? "t" : "f"
        case .int(let value): return String(value)
        case .double(let value):
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
            return String(value)  // shortest text that reads back to the same Double
        case .bytes(let bytes):
            let digits: [UInt8] = Array("0123456789abcdef".utf8)
            var out: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
            out.reserveCapacity(2 + bytes.count * 2)
            for byte in bytes {
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Decodes a column value received in the text format, by the column's type OID.
    public init(text: String, typeOID: UInt32) {
        switch typeOID {
        case PostgresTypeOID.bool: self = .bool(text == "t")
        case PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid:
            self = Int64(text).map(PostgresValue.int) ?? .text(text)
        case PostgresTypeOID.float4, PostgresTypeOID.float8:
            self = Double(text).map(PostgresValue.double) ?? .text(text)
        case PostgresTypeOID.numeric: self = .numeric(text)
        case PostgresTypeOID.json, PostgresTypeOID.jsonb: self = .json(text)
        case PostgresTypeOID.bytea: self = PostgresValue.decodeHexBytea(text).map(PostgresValue.bytes) ?? .text(text)
        default: self = .text(text)
        }
    }

    private static func decodeHexBytea(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            return nil
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    /// The text of `.text`, `.numeric` and `.json`; the text representation of the others.
    public var string: String { textRepresentation }

    /// The integer value of `.int` (and of `.numeric`/`.text` holding an integer).
    public var int: Int64? {
        switch self {
        case .int(let value): return value
        case .text(let text), .numeric(let text): return Int64(text)
        default: return nil
        }
    }

    /// The value of `.double`, `.int` and `.numeric` as a Double.
    public var double: Double? {
        switch self {
        case .double(let value): return value
        case .int(let value): return Double(value)
        case .numeric(let text): return Double(text)
        default: return nil
        }
    }

    /// The value of `.bool`.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}
