import FlowCore
import FlowPostgres

/// A database named by URL in a node's `url` field.
///
/// | Written | Meaning |
/// | --- | --- |
/// | `sqlite:PATH`, `jdbc:sqlite:PATH`, `sqlite:///abs/path` | a SQLite file, relative to the workflow's directory |
/// | `sqlite::memory:`, `jdbc:sqlite::memory:` | a private in-memory SQLite database |
/// | `postgresql://user:pass@host:port/db?sslmode=...`, `postgres://...` | PostgreSQL through libpq |
/// | `jdbc:postgresql://host:port/db?user=...&password=...` | the same, JDBC spelling (see docs/postgres.md) |
enum DatabaseURL: Sendable {
    /// A file path (already resolved against the workflow's directory) or `:memory:`.
    case sqlite(path: String)
    case postgres(PostgresURL)

    struct ParseError: Error, CustomStringConvertible {
        var description: String
    }

    /// Parses `text`; `resolve` turns a relative SQLite path into one relative to the workflow.
    /// Errors never contain a password.
    init(_ text: String, resolvePath resolve: (String) -> String) throws(ParseError) {
        var rest = Substring(text.trimmingSpaces())
        if rest.hasPrefix("jdbc:sqlite:") {
            rest = rest.dropFirst("jdbc:".count)
        }
        if rest.hasPrefix("sqlite:") {
            var path = rest.dropFirst("sqlite:".count)
            if path.hasPrefix("//") { path = path.dropFirst(2) }
            guard !path.isEmpty else {
                throw ParseError(description: "`sqlite:` needs a file path: `sqlite:data/app.db` or `sqlite::memory:`")
            }
            self = .sqlite(path: path == ":memory:" ? ":memory:" : resolve(String(path)))
            return
        }
        if rest.hasPrefix("postgresql:") || rest.hasPrefix("postgres:") || rest.hasPrefix("jdbc:postgresql:") {
            do {
                self = .postgres(try PostgresURL(String(rest)))
            } catch {
                throw ParseError(description: "\(error)")
            }
            return
        }
        let scheme = rest.firstIndex(of: ":").map { String(rest[..<$0]) } ?? String(rest)
        throw ParseError(
            description: "unsupported database URL scheme `\(scheme)`: use `sqlite:PATH`, `sqlite::memory:`, "
                + "`postgresql://user@host:port/db` or their `jdbc:` forms")
    }

    /// The URL without its password, for messages and logs.
    var maskedDescription: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url): return url.maskedDescription
        }
    }

    /// Which SQL dialect the database speaks.
    var dialect: SQLDialect {
        switch self {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    /// `url` with `application_name=flow/<node id>` unless the URL sets one, so that the node's
    /// connection can be found in `pg_stat_activity`.
    static func withApplicationName(_ url: PostgresURL, nodeID: String) -> PostgresURL {
        var url = url
        if !url.parameters.contains(where: { $0.key == "application_name" }) {
            url.parameters.append(PostgresURL.Parameter(key: "application_name", value: "flow/\(nodeID)"))
        }
        return url
    }
}

/// The SQL spoken by a database: identifier quoting is shared, types and upserts differ.
enum SQLDialect: Sendable {
    case sqlite
    case postgres

    var name: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

extension String {
    func trimmingSpaces() -> String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}

extension DatabaseURL {
    /// The node's `url:` field; a bad URL is added to `diagnostics` (located at the field) and an
    /// in-memory SQLite stands in, so the node can go on reporting its other problems.
    static func parse(_ config: NodeConfig, _ context: NodeBuildContext, into diagnostics: inout Diagnostics) -> DatabaseURL {
        do {
            return try DatabaseURL(config.string("url") ?? "", resolvePath: context.resolvePath)
        } catch {
            diagnostics.append(config.error(error.description, field: "url"))
            return .sqlite(path: ":memory:")
        }
    }
}
