/// One result row: the raw text of each column (nil for NULL) and decoded values on demand.
public struct PostgresRow: Sendable {
    /// The result's columns; every row of a result shares the same array storage.
    public let columns: [PostgresColumn]
    /// Each column's value in PostgreSQL's text format, nil for NULL.
    public let texts: [String?]

    public init(columns: [PostgresColumn], texts: [String?]) {
        precondition(columns.count == texts.count, "a row needs one value per column")
        self.columns = columns
        self.texts = texts
    }

    /// The value of column `index` decoded by its type, nil for NULL.
    public subscript(index: Int) -> PostgresValue? {
        texts[index].map { PostgresValue(text: $0, typeOID: columns[index].typeOID) }
    }

    /// The value of the first column named `name` decoded by its type; nil for NULL or no such column.
    public subscript(name: String) -> PostgresValue? {
        columnIndex(named: name).flatMap { self[$0] }
    }

    /// The index of the first column named `name`.
    public func columnIndex(named name: String) -> Int? {
        columns.firstIndex { $0.name == name }
    }

    /// All values decoded, in column order.
    public var values: [PostgresValue?] {
        (0..<texts.count).map { self[$0] }
    }
}
