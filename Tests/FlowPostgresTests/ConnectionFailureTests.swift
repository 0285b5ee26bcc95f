import FlowPostgres
import Testing

@Suite("Connection failures")
struct ConnectionFailureTests {
    /// The role `scripts/services/postgres.sh` creates with password authentication.
    static let passwordRole = "flow_password_check"
    static let rolePassword = "fl0w-p@ss:w/rd"

    static func url(user: String? = nil, password: String? = nil, port: Int? = nil, database: String? = nil) throws
        -> PostgresURL
    {
        var url = try TestDatabase.parsedURL()
        if let user { url.user = user }
        url.password = password
        if let port { url.port = port }
        if let database { url.database = database }
        return url
    }

    @Test("a wrong password fails quickly with a clear, masked error")
    func wrongPassword() async throws {
        let secret = "wrong-secret-8472"
        let url = try Self.url(user: Self.passwordRole, password: secret)
        let start = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(url)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("password authentication failed"))
        #expect(!error.isRetryable)
        #expect(!error.description.contains(secret))
        #expect(error.description.contains("flow_password_check:***@"))

        // The same through a URL string, as a user would paste it.
        let string = "postgresql://\(Self.passwordRole):\(secret)@\(url.host ?? "127.0.0.1"):\(url.port ?? 5432)/flow_test"
        let fromString = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(string)
        }
        #expect(!fromString.description.contains(secret))
        #expect(fromString.message.contains("password authentication failed"))
    }

    @Test("the right password, percent-encoded in a URL, connects")
    func rightPassword() async throws {
        let base = try TestDatabase.parsedURL()
        let string =
            "postgres://\(Self.passwordRole):fl0w-p%40ss%3Aw%2Frd@\(base.host ?? "127.0.0.1"):\(base.port ?? 5432)/flow_test"
        let connection = try await PostgresConnection.connect(string)
        #expect(try await connection.queryAll("SELECT current_user")[0][0] == .text(Self.passwordRole))
        #expect(connection.maskedDescription.contains(":***@"))
        #expect(!connection.maskedDescription.contains("fl0w"))
        await connection.close()

        let jdbc = "jdbc:postgresql://\(base.host ?? "127.0.0.1"):\(base.port ?? 5432)/flow_test"
            + "?user=\(Self.passwordRole)&password=fl0w-p%40ss%3Aw%2Frd&ApplicationName=flow-test"
        let viaJDBC = try await PostgresConnection.connect(jdbc)
        #expect(try await viaJDBC.queryAll("SHOW application_name")[0][0] == .text("flow-test"))
        await viaJDBC.close()

        let parsed = try PostgresURL(string)
        #expect(parsed.password == Self.rolePassword)
        let viaConninfo = try await PostgresConnection.connect(parsed.conninfo)
        #expect(try await viaConninfo.queryAll("SELECT 1")[0][0] == .int(1))
        await viaConninfo.close()
    }

    @Test("a port with nothing listening fails at once and is retryable")
    func refusedPort() async throws {
        let url = try Self.url(port: 1)
        let start = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(url)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        #expect(error.code == .connectionFailed)
        #expect(error.message.contains("refused"))
        #expect(error.isRetryable)
        #expect(!error.isConnectionLoss)
    }

    @Test("an unroutable host gives up after the connect timeout")
    func unreachableHost() async throws {
        let start = ContinuousClock.now
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect("postgresql://postgres@10.255.255.1:5432/flow_test", connectTimeout: 2)
        }
        #expect(ContinuousClock.now - start < .seconds(6))
        #expect(error.code == .connectionFailed)
        #expect(error.isRetryable)
    }

    @Test("an unknown database is a permanent failure")
    func unknownDatabase() async throws {
        let url = try Self.url(database: "no_such_database_flow")
        let error = try await #require(throws: PostgresError.self) { try await PostgresConnection.connect(url) }
        #expect(error.message.contains("does not exist"))
        #expect(!error.isRetryable)
    }

    @Test("a key=value conninfo with a password is masked in errors")
    func keyValueMasked() async throws {
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect("host=127.0.0.1 port=1 user=x password='s3cr3t value' dbname=d")
        }
        #expect(!error.description.contains("s3cr3t"))
        #expect(error.description.contains("password=***"))
    }
}
