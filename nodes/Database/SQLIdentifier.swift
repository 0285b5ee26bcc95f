/// Quoting of SQL identifiers, the same for SQLite and PostgreSQL: wrapped in double quotes with inner
/// double quotes doubled, so any name (quotes, semicolons, spaces, Unicode, mixed case) is taken literally.
enum SQLIdentifier {
    static func quote(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}
