import FlowPostgres
import Testing

@testable import FlowNodes

/// The database URLs `jdbc_output` and `sql_query` accept.
@Suite struct DatabaseURLTests {
    static func parse(_ text: String) throws -> DatabaseURL {
        try DatabaseURL(text, resolvePath: { $0.hasPrefix("/") ? $0 : "/flows/" + $0 })
    }

    @Test(arguments: [
        ("sqlite:products.db", "/flows/products.db"),
        ("jdbc:sqlite:data/products.db", "/flows/data/products.db"),
        ("sqlite:/var/lib/app.db", "/var/lib/app.db"),
        ("sqlite:///var/lib/app.db", "/var/lib/app.db"),
        ("sqlite::memory:", ":memory:"),
        ("jdbc:sqlite::memory:", ":memory:"),
    ])
    func sqliteURLs(_ text: String, _ path: String) throws {
        guard case .sqlite(let parsed) = try Self.parse(text) else {
            Issue.record("not sqlite")
            return
        }
        #expect(parsed == path)
    }

    @Test(arguments: [
        ("postgresql://u:secret@db.example:5433/shop?sslmode=require", "postgresql://u:***@db.example:5433/shop?sslmode=require"),
        ("postgres://u@localhost/shop", "postgresql://u@localhost/shop"),
        ("jdbc:postgresql://db:5432/shop?user=u&password=secret", "postgresql://u:***@db:5432/shop"),
    ])
    func postgresURLsAreMasked(_ text: String, _ masked: String) throws {
        let url = try Self.parse(text)
        guard case .postgres = url else {
            Issue.record("not postgres")
            return
        }
        #expect(url.maskedDescription == masked)
    }

    @Test func theNodeNamesItsConnection() throws {
        let url = try PostgresURL("postgresql://u@h/db")
        #expect(DatabaseURL.withApplicationName(url, nodeID: "store").parameters.contains {
            $0.key == "application_name" && $0.value == "flow/store"
        })
        let named = try PostgresURL("postgresql://u@h/db?application_name=mine")
        #expect(DatabaseURL.withApplicationName(named, nodeID: "store").parameters.filter { $0.key == "application_name" }.map(\.value) == ["mine"])
    }

    @Test(arguments: ["mysql://x", "sqlite:", "file:x.db"])
    func rejected(_ text: String) {
        #expect(throws: DatabaseURL.ParseError.self) { try Self.parse(text) }
    }
}
