import FlowPostgres
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real PostgreSQL server the integration tests use, from `FLOW_TEST_POSTGRES_URL`.
enum TestDatabase {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "FLOW_TEST_POSTGRES_URL is not set. Start the test server and load its settings first: "
                + "scripts/services/postgres.sh start && source ${FLOW_SERVICES_DIR:-/tmp/flow-services}/postgres.env"
        }
    }

    /// The server URL; a missing variable is a test failure with instructions, never a skip.
    static func url() throws -> String {
        guard let value = getenv("FLOW_TEST_POSTGRES_URL"), case let url = String(cString: value), !url.isEmpty else {
            throw NotConfigured()
        }
        return url
    }

    static func parsedURL() throws -> PostgresURL { try PostgresURL(url()) }

    static func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(url())
    }

    /// Runs `body` with a fresh connection and closes it afterwards.
    static func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await connect()
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// A table name no other test (or earlier run) uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0..<UInt64.max), radix: 36)"
    }

    /// Polls `condition` every 50 ms for up to `seconds`.
    static func waitUntil(seconds: Double = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}

extension String.StringInterpolation {
    mutating func appendInterpolation(_ value: UInt64, radix: Int) {
        appendLiteral(String(value, radix: radix))
    }
}
