/// An error from the PostgreSQL client: what failed, the server's diagnostics, and how to classify it.
///
/// Error text never contains a connection string or password: connections are described by
/// ``PostgresURL/maskedDescription`` and libpq messages are scrubbed of the password.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of operation failed. Compare with the static members (`error.code == .connectionLost`).
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case connectionFailed
            case connectionLost
            case connectionClosed
            case connectionBusy
            case queryFailed
            case copyFailed
            case invalidParameter
            case invalidURL
            case invalidIdentifier
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// Opening the connection failed (unreachable server, authentication, unknown database).
        public static let connectionFailed = Code(.connectionFailed)
        /// The server or network dropped an open connection (for example `pg_terminate_backend`).
        public static let connectionLost = Code(.connectionLost)
        /// The connection was used after `close()`.
        public static let connectionClosed = Code(.connectionClosed)
        /// Another operation was in progress on the connection: a connection runs one at a time.
        public static let connectionBusy = Code(.connectionBusy)
        /// The server rejected a statement or it failed while running.
        public static let queryFailed = Code(.queryFailed)
        /// A `COPY ... FROM STDIN` failed.
        public static let copyFailed = Code(.copyFailed)
        /// A parameter cannot be sent (for example text containing a NUL character).
        public static let invalidParameter = Code(.invalidParameter)
        /// A connection URL could not be parsed.
        public static let invalidURL = Code(.invalidURL)
        /// A qualified identifier could not be parsed.
        public static let invalidIdentifier = Code(.invalidIdentifier)

        public var description: String { base.rawValue }
    }

    /// What kind of operation failed.
    public let code: Code
    /// The primary message (libpq's or the server's), without connection strings or passwords.
    public let message: String
    /// The five-character SQLSTATE from the server, when it sent one (`42P01`, `57P01`, ...).
    public let sqlState: String?
    /// The server's DETAIL field.
    public let detail: String?
    /// The server's HINT field.
    public let hint: String?
    /// The server's CONTEXT field: where the error happened (`COPY items, line 2, column id: "x"`).
    public let context: String?
    /// The start of the statement that failed (at most 200 characters), never its parameters.
    public let statement: String?
    /// The masked description of the connection (``PostgresURL/maskedDescription``) where known.
    public let connection: String?

    init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        context: String? = nil, statement: String? = nil, connection: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.context = context
        self.statement = statement.map { $0.count > 200 ? String($0.prefix(200)) + "..." : $0 }
        self.connection = connection
    }

    /// True when the connection is gone: the caller must open a new one.
    public var isConnectionLoss: Bool {
        if code == .connectionLost { return true }
        guard let sqlState else { return false }
        // Class 08: connection exception; 57P01..57P03: admin shutdown, crash shutdown, cannot connect now.
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(sqlState)
    }

    /// True when running the same work again (on a new connection if ``isConnectionLoss``) may succeed.
    ///
    /// Retryable: connection loss, failed connects that are not authentication or configuration errors,
    /// serialization failures (40001), deadlocks (40P01), insufficient resources (class 53), and
    /// lock timeouts (55P03). Not retryable: syntax, constraint, permission and data errors.
    public var isRetryable: Bool {
        if isConnectionLoss { return true }
        if code == .connectionFailed {
            let lowered = message.lowercased()
            let permanent = [
                "password authentication failed", "authentication failed", "no pg_hba.conf entry",
                "does not exist", "invalid connection option", "invalid uri", "invalid sslmode",
                "password is required", "permission denied",
            ]
            return !permanent.contains { lowered.contains($0) }
        }
        guard let sqlState else { return false }
        return ["40001", "40P01", "55P03"].contains(sqlState) || sqlState.hasPrefix("53")
    }

    public var description: String {
        var text: String
        switch code {
        case .connectionFailed: text = "PostgreSQL connection failed"
        case .connectionLost: text = "PostgreSQL connection lost"
        case .connectionClosed: text = "PostgreSQL connection already closed"
        case .connectionBusy: text = "PostgreSQL connection busy"
        case .copyFailed: text = "PostgreSQL COPY failed"
        case .invalidParameter: text = "invalid PostgreSQL parameter"
        case .invalidURL: text = "invalid PostgreSQL URL"
        case .invalidIdentifier: text = "invalid PostgreSQL identifier"
        default: text = "PostgreSQL query failed"
        }
        if let connection { text += " (\(connection))" }
        text += ": \(message)"
        if let sqlState { text += " [SQLSTATE \(sqlState)]" }
        if let detail { text += "; detail: \(detail)" }
        if let hint { text += "; hint: \(hint)" }
        if let context { text += "; context: \(context)" }
        if let statement { text += "; statement: \(statement)" }
        if code == .connectionLost { text += "; open a new connection and retry" }
        return text
    }
}
