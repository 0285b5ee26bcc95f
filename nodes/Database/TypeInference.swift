import FlowJSON

/// The SQL types of tables created from the first batch of records (documented in docs/databases.md).
enum TypeInference {
    /// The column type for the values a column holds in the first batch: the first non-null value
    /// decides; an int column that also holds doubles is a double column; a column mixing other kinds
    /// is text; a column that is null throughout is text.
    static func sqlType(for values: [JSON], dialect: SQLDialect) -> String {
        var seen: String?
        for value in values {
            let kind: String
            switch value {
            case .null: continue
            case .int: kind = "int"
            case .double: kind = "double"
            case .bool: kind = "bool"
            case .string: kind = "string"
            case .array, .object: kind = "json"
            }
            switch (seen, kind) {
            case (nil, _): seen = kind
            case (let s?, _) where s == kind: break
            case ("int", "double"), ("double", "int"): seen = "double"
            default: seen = "string"
            }
        }
        switch (seen ?? "string", dialect) {
        case ("int", .postgres): return "BIGINT"
        case ("int", .sqlite): return "INTEGER"
        case ("double", .postgres): return "DOUBLE PRECISION"
        case ("double", .sqlite): return "REAL"
        case ("bool", _): return "BOOLEAN"
        case ("json", .postgres): return "JSONB"
        default: return "TEXT"
        }
    }
}
