/// A value ready to be written: JSON converted for its column.
enum SQLCell: Sendable, Hashable {
    case null
    case int(Int64)
    case double(Double)
    case bool(Bool)
    case text(String)
}
