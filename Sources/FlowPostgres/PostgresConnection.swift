import CLibPQ
import Synchronization

/// A connection to a PostgreSQL server through libpq, with an async API.
///
/// Every blocking libpq call runs on the connection's own serial dispatch queue, never on Swift's
/// cooperative thread pool. A connection runs one operation at a time: starting a second one while the
/// first is in progress (for example inside a ``query(_:parameters:batchSize:_:)`` body) throws
/// ``PostgresError/Code/connectionBusy``; open more connections for concurrency. Cancelling the calling
/// task asks the server to cancel the running statement.
public final class PostgresConnection: Sendable {
    let handle: LibPQConnection
    private let state = Mutex(ConnectionStateMachine())

    /// The server process id serving this connection (for `pg_stat_activity`, `pg_terminate_backend`).
    public let backendPID: Int32
    /// The connection described without its password, for logs and messages.
    public var maskedDescription: String { handle.display }

    private init(handle: LibPQConnection, backendPID: Int32) {
        self.handle = handle
        self.backendPID = backendPID
    }

    /// Opens a connection from a libpq conninfo string (`host=... dbname=...`) or a
    /// `postgresql://`/`postgres://` URL, given to libpq as it is. A `jdbc:postgresql:` URL is
    /// translated by ``PostgresURL`` first.
    ///
    /// - Parameter connectTimeout: seconds to wait for the server, unless the conninfo sets
    ///   `connect_timeout` itself.
    public static func connect(_ conninfo: String, connectTimeout: Int = 10) async throws -> PostgresConnection {
        if conninfo.hasPrefix("jdbc:") {
            return try await connect(PostgresURL(conninfo), connectTimeout: connectTimeout)
        }
        let parsed = try? PostgresURL(conninfo)
        let display = parsed?.maskedDescription ?? PostgresURL.mask(conninfo)
        // Later keywords override earlier ones, and the expanded conninfo comes last: the caller's
        // settings win over these defaults.
        let keywords = ["connect_timeout", "client_encoding", "dbname"]
        let values = [String(connectTimeout), "UTF8", conninfo]
        let handle = try await LibPQConnection.connect(
            keywords: keywords, values: values, display: display, secret: parsed?.password)
        let pid = try await handle.run(cancellable: false) { PQbackendPID($0) }
        return PostgresConnection(handle: handle, backendPID: pid)
    }

    /// Opens a connection described by a parsed URL.
    public static func connect(_ url: PostgresURL, connectTimeout: Int = 10) async throws -> PostgresConnection {
        let keywords = ["connect_timeout", "client_encoding"] + url.conninfoParameters.map(\.key)
        let values = [String(connectTimeout), "UTF8"] + url.conninfoParameters.map(\.value)
        let handle = try await LibPQConnection.connect(
            keywords: keywords, values: values, display: url.maskedDescription, secret: url.password)
        let pid = try await handle.run(cancellable: false) { PQbackendPID($0) }
        return PostgresConnection(handle: handle, backendPID: pid)
    }

    /// Runs one statement with `$1, $2, ...` parameters (text format, nil for NULL) and returns the
    /// number of rows it affected and its command tag. Rows a statement returns are discarded.
    @discardableResult
    public func execute(_ sql: String, parameters: [PostgresValue?] = []) async throws -> PostgresCommandResult {
        let texts = try Self.parameterTexts(parameters, statement: sql)
        return try await withOperation {
            try await handle.run { [handle] connection in
                let sent = withOptionalCStrings(texts) { values in
                    PQsendQueryParams(connection, sql, Int32(texts.count), nil, values, nil, nil, 0)
                }
                guard sent == 1 else {
                    throw handle.error(from: nil, connection: connection, code: .queryFailed, statement: sql)
                }
                // Our own PQgetResult loop rather than PQexecParams: when the server ends the session
                // (pg_terminate_backend), PQexec replaces the server's error, and its SQLSTATE, with
                // libpq's "server closed the connection"; the first result here still has it.
                var outcome: PostgresCommandResult?
                var failure: PostgresError?
                while let result = PQgetResult(connection) {
                    defer { PQclear(result) }
                    let status = PQresultStatus(result)
                    switch status {
                    case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
                        outcome = PostgresCommandResult(result)
                    case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
                        // Leave the connection usable: end the COPY the statement started.
                        if status == PGRES_COPY_IN { _ = PQputCopyEnd(connection, "use copyIn for COPY FROM STDIN") }
                        if status == PGRES_COPY_OUT {
                            var buffer: UnsafeMutablePointer<CChar>?
                            while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
                        }
                        if failure == nil {
                            failure = PostgresError(
                                .queryFailed, "COPY is not supported by execute; use copyIn", statement: sql)
                        }
                    default:
                        if failure == nil {
                            failure = handle.error(
                                from: result, connection: connection, code: .queryFailed, statement: sql)
                        }
                    }
                    if PQstatus(connection) != CONNECTION_OK { break }
                }
                if let failure {
                    if PQstatus(connection) != CONNECTION_OK, failure.code != .connectionLost {
                        throw handle.error(from: nil, connection: connection, code: .queryFailed, statement: sql)
                    }
                    throw failure
                }
                guard let outcome else {
                    throw handle.error(from: nil, connection: connection, code: .queryFailed, statement: sql)
                }
                return outcome
            }
        }
    }

    /// Runs one or more `;`-separated statements without parameters (the simple query protocol), for
    /// scripts such as schema setup. Returns the result of the last statement.
    @discardableResult
    public func executeScript(_ sql: String) async throws -> PostgresCommandResult {
        try await withOperation {
            try await handle.run { [handle] connection in
                // PQexec returns the last result; an error stops the script and is the last result.
                let result = PQexec(connection, sql)
                defer { PQclear(result) }
                let status = result.map(PQresultStatus)
                guard let result, status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK
                    || status == PGRES_EMPTY_QUERY
                else {
                    if status == PGRES_COPY_IN { _ = PQputCopyEnd(connection, "use copyIn for COPY FROM STDIN") }
                    if status == PGRES_COPY_IN || status == PGRES_COPY_OUT {
                        drainResults(connection)
                        throw PostgresError(.queryFailed, "COPY is not supported by executeScript", statement: sql)
                    }
                    throw handle.error(from: result, connection: connection, code: .queryFailed, statement: sql)
                }
                return PostgresCommandResult(result)
            }
        }
    }

    /// Closes the connection. Later operations throw ``PostgresError/Code/connectionClosed``.
    public func close() async {
        switch state.withLock({ $0.close() }) {
        case .closeHandle: await handle.close()
        case .none: break
        }
    }

    /// Runs `body` as the connection's only operation.
    func withOperation<T>(_ body: () async throws -> T) async throws -> T {
        // A task cancelled before it starts does not start: a cancel request sent before the statement
        // reaches the server would be ignored and the statement run anyway.
        try Task.checkCancellation()
        switch state.withLock({ $0.startOperation() }) {
        case .run: break
        case .failBusy:
            throw PostgresError(
                .connectionBusy, "another operation is in progress; a connection runs one at a time",
                connection: handle.display)
        case .failClosed:
            throw PostgresError(.connectionClosed, "the connection was closed", connection: handle.display)
        }
        defer { state.withLock { $0.finishOperation() } }
        return try await body()
    }

    static func parameterTexts(_ parameters: [PostgresValue?], statement: String) throws -> [String?] {
        try parameters.enumerated().map { index, value in
            guard let text = value?.textRepresentation else { return nil }
            // libpq takes parameters as C strings: a NUL would silently cut the value short.
            if text.utf8.contains(0) {
                throw PostgresError(
                    .invalidParameter,
                    "parameter $\(index + 1) contains a NUL character, which PostgreSQL text cannot hold",
                    statement: statement)
            }
            return text
        }
    }
}
