import FlowJSON
import FlowPostgres

/// Turns PostgreSQL's text format into JSON by column type (documented in docs/databases.md).
struct PostgresDecoder {
    enum Kind {
        case integer, double, numeric, boolean, json, text
    }

    let kind: Kind

    init(typeOID: UInt32) {
        switch typeOID {
        case PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid: kind = .integer
        case PostgresTypeOID.float4, PostgresTypeOID.float8: kind = .double
        case PostgresTypeOID.numeric: kind = .numeric
        case PostgresTypeOID.bool: kind = .boolean
        case PostgresTypeOID.json, PostgresTypeOID.jsonb: kind = .json
        default: kind = .text
        }
    }

    @inline(__always)
    func decode(_ text: String) -> JSON {
        switch kind {
        case .integer: return Int(text).map(JSON.int) ?? .string(text)
        case .double:
            // NaN and the infinities have no JSON number: they stay text.
            guard let d = Double(text), d.isFinite else { return .string(text) }
            return .double(d)
        case .numeric: return Self.numeric(text)
        case .boolean: return .bool(text == "t")
        case .json: return (try? JSONParser.parse(text)) ?? .string(text)
        case .text: return .string(text)
        }
    }

    /// An integer when integral and within 64 bits; a double when at most 15 significant digits (exact
    /// in a double); otherwise the exact decimal as a string.
    static func numeric(_ text: String) -> JSON {
        if let i = Int(text) { return .int(i) }
        var significant = 0
        var leading = true
        var exponent = false
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "e"), UInt8(ascii: "E"): exponent = true
            case UInt8(ascii: "1")...UInt8(ascii: "9") where !exponent: leading = false; significant += 1
            case UInt8(ascii: "0") where !exponent: if !leading { significant += 1 }
            default: break
            }
        }
        // Trailing zeros after the point do not count: 1.500 is 1.5.
        if text.contains("."), !exponent {
            significant -= text.reversed().prefix { $0 == "0" }.count
        }
        if significant <= 15, let d = Double(text), d.isFinite { return .double(d) }
        return .string(text)
    }
}
