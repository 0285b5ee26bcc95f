/// A table name, optionally qualified by a schema (PostgreSQL) or an attached database (SQLite).
struct TableName: Sendable, Hashable, CustomStringConvertible {
    var schema: String?
    var name: String

    /// `"schema"."name"`.
    var quoted: String {
        (schema.map { SQLIdentifier.quote($0) + "." } ?? "") + SQLIdentifier.quote(name)
    }

    /// How messages show it: quoted, so odd names are unambiguous.
    var description: String { quoted }
}

/// A table column: its name and SQL type as declared (`BIGINT`, `numeric(10,2)`, `TEXT`...).
struct TableColumn: Sendable, Hashable {
    var name: String
    var type: String
    var kind: ColumnKind { ColumnKind(sqlType: type) }
}
