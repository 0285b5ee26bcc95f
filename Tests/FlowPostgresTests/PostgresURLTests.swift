import FlowPostgres
import Testing

@Suite("PostgresURL")
struct PostgresURLTests {
    @Test("postgresql:// with every part")
    func fullURL() throws {
        let url = try PostgresURL("postgresql://app%20user:p%40ss%2Fw%3Ard@db.example.com:6432/my%2Fdb?sslmode=require&application_name=flow")
        #expect(url.user == "app user")
        #expect(url.password == "p@ss/w:rd")
        #expect(url.host == "db.example.com")
        #expect(url.port == 6432)
        #expect(url.database == "my/db")
        #expect(url.parameters == [
            .init(key: "sslmode", value: "require"), .init(key: "application_name", value: "flow"),
        ])
        #expect(url.conninfo
            == "host='db.example.com' port='6432' dbname='my/db' user='app user' password='p@ss/w:rd' sslmode='require' application_name='flow'")
        #expect(url.maskedDescription
            == "postgresql://app%20user:***@db.example.com:6432/my%2Fdb?sslmode=require&application_name=flow")
    }

    @Test("postgres:// and minimal forms")
    func shortForms() throws {
        let url = try PostgresURL("postgres://localhost/flow")
        #expect(url.host == "localhost")
        #expect(url.port == nil)
        #expect(url.user == nil)
        #expect(url.database == "flow")
        #expect(url.maskedDescription == "postgresql://localhost/flow")
        let bare = try PostgresURL("postgresql://")
        #expect(bare.conninfo == "")
        let v6 = try PostgresURL("postgresql://u@[::1]:5433/d")
        #expect(v6.host == "::1")
        #expect(v6.port == 5433)
        #expect(v6.maskedDescription == "postgresql://u@[::1]:5433/d")
    }

    @Test("jdbc:postgresql:// with user and password parameters")
    func jdbc() throws {
        let url = try PostgresURL(
            "jdbc:postgresql://db:5432/sales?user=etl&password=se%26cret&ssl=true&connectTimeout=7&ApplicationName=flow&loginTimeout=3&currentSchema=reports")
        #expect(url.user == "etl")
        #expect(url.password == "se&cret")
        #expect(url.host == "db")
        #expect(url.port == 5432)
        #expect(url.database == "sales")
        #expect(url.parameters == [
            .init(key: "sslmode", value: "require"), .init(key: "connect_timeout", value: "7"),
            .init(key: "application_name", value: "flow"), .init(key: "options", value: "-c search_path=reports"),
        ])
        #expect(url.ignoredParameters == ["loginTimeout"])
        #expect(url.maskedDescription.hasPrefix("postgresql://etl:***@db:5432/sales?"))
        #expect(!url.maskedDescription.contains("se&cret") && !url.maskedDescription.contains("se%26cret"))
        let local = try PostgresURL("jdbc:postgresql:warehouse")
        #expect(local.host == nil)
        #expect(local.database == "warehouse")
    }

    @Test("libpq parameters in the query string fill the fields")
    func queryFields() throws {
        let url = try PostgresURL("postgresql:///db?host=/var/run/postgresql&user=me&password=pw&port=5999")
        #expect(url.host == "/var/run/postgresql")
        #expect(url.user == "me")
        #expect(url.password == "pw")
        #expect(url.port == 5999)
        #expect(url.parameters.isEmpty)
        #expect(url.maskedDescription == "postgresql://me:***@%2Fvar%2Frun%2Fpostgresql:5999/db")
    }

    @Test(
        "rejects malformed URLs without echoing the password",
        arguments: [
            "mysql://u:hunter22@h/d", "postgresql://u:hunter22@h:99999/d", "postgresql://u:hunter22@h:port/d",
            "postgresql://u:hunter22@h/d%zz", "postgresql://u:hunter22@[::1/d", "postgresql://u:hunter22@a,b/d",
        ])
    func malformed(_ string: String) throws {
        let error = try #require(throws: PostgresError.self) { try PostgresURL(string) }
        #expect(error.code == .invalidURL)
        #expect(!error.description.contains("hunter22"))
    }

    @Test(
        "mask hides passwords in every spelling",
        arguments: [
            ("postgresql://u:hunter22@h:5432/d", "postgresql://u:***@h:5432/d"),
            ("postgres://u:hunter22@h/d?sslmode=disable", "postgresql://u:***@h/d?sslmode=disable"),
            ("jdbc:postgresql://h/d?user=u&password=hunter22", "postgresql://u:***@h/d"),
            ("postgresql://u:hunter22@h1,h2/d?password=hunter22", "postgresql://***@h1,h2/d?password=***"),
            ("host=h password=hunter22 user=u", "host=h password=*** user=u"),
            ("host=h password = 'hunter22 \\' x' dbname=d", "host=h password =*** dbname=d"),
        ])
    func mask(input: String, expected: String) {
        #expect(PostgresURL.mask(input) == expected)
    }

    @Test("conninfo values are quoted so spaces, quotes and backslashes survive")
    func conninfoQuoting() {
        let url = PostgresURL(user: "o'neil", password: "a b\\c", host: "h", database: "d")
        #expect(url.conninfo == #"host='h' dbname='d' user='o\'neil' password='a b\\c'"#)
    }
}
