/// The binary format of `COPY ... FROM STDIN (FORMAT binary)` for the column types whose binary form
/// is simple and whose receive functions check exactly what their text input functions check: the
/// server then stores the same values, and fails on the same ones, without parsing any text (COPY's
/// text parsing is about a third of what PostgreSQL spends on a bulk load of short rows).
///
/// A COPY in this format starts with a fixed header and ends with a trailer (``header``,
/// ``trailer``); each row is a 16-bit field count and, per field, a 32-bit length (-1 for NULL) and the
/// value's bytes, integers in network byte order.
public enum PostgresCopyBinary {
    /// How a column's values are sent.
    public enum Column: Sendable, Equatable {
        case int2, int4, int8
        case float8
        case bool
        /// text, varchar, char(n) and json: the value's UTF-8 bytes, checked by the server as text
        /// input would be (encoding, length limit, JSON syntax).
        case text
        /// jsonb: a version byte, then the JSON text.
        case jsonb

        /// The column type with OID `oid`, or nil when it has no simple binary form here (numeric,
        /// float4, dates and times, arrays, domains, types of extensions...).
        public init?(typeOID oid: UInt32) {
            switch oid {
            case PostgresTypeOID.int2: self = .int2
            case PostgresTypeOID.int4: self = .int4
            case PostgresTypeOID.int8: self = .int8
            case PostgresTypeOID.float8: self = .float8
            case PostgresTypeOID.bool: self = .bool
            case PostgresTypeOID.text, PostgresTypeOID.varchar, PostgresTypeOID.bpchar, PostgresTypeOID.json: self = .text
            case PostgresTypeOID.jsonb: self = .jsonb
            default: return nil
            }
        }

        /// The PostgreSQL type name, for messages.
        public var typeName: String {
            switch self {
            case .int2: return "smallint"
            case .int4: return "integer"
            case .int8: return "bigint"
            case .float8: return "double precision"
            case .bool: return "boolean"
            case .text: return "text"
            case .jsonb: return "jsonb"
            }
        }
    }

    /// The signature, flags (none) and header extension length (0) a binary COPY starts with.
    public static let header: [UInt8] = Array("PGCOPY\n".utf8) + [0xFF, 0x0D, 0x0A, 0x00] + [0, 0, 0, 0] + [0, 0, 0, 0]
    /// A field count of -1: the end of the data.
    public static let trailer: [UInt8] = [0xFF, 0xFF]
}
