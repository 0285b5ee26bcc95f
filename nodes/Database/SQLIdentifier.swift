/// Quoting of SQL identifiers, the same for SQLite and PostgreSQL: wrapped in double quotes with inner
/// double quotes doubled, so any name (quotes, semicolons, spaces, Unicode, mixed case) is taken literally.
enum SQLIdentifier {
    static func quote(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}

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
