import FlowJSON
import FlowPostgres
import FlowSQLite

/// Reads SQLite values as JSON, using a column's declared type for booleans and JSON.
struct SQLiteColumnKind {
    let isBoolean: Bool
    let isJSON: Bool

    init(_ declaredType: String?) {
        let type = declaredType?.lowercased() ?? ""
        isBoolean = type == "boolean" || type == "bool"
        isJSON = type == "json" || type == "jsonb"
    }

    @inline(__always)
    func decode(_ value: SQLiteValue) -> JSON {
        switch value {
        case .null: return .null
        case .integer(let i): return isBoolean && (i == 0 || i == 1) ? .bool(i == 1) : .int(Int(i))
        case .real(let d): return d.isFinite ? .double(d) : .string(String(d))
        case .text(let s): return isJSON ? ((try? JSONParser.parse(s)) ?? .string(s)) : .string(s)
        case .blob(let bytes): return .string(PostgresValue.bytes(bytes).textRepresentation)
        }
    }
}
