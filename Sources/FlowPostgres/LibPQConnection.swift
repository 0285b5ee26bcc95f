import CLibPQ
import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq `PGconn` and the serial queue that every blocking libpq call on it runs on.
///
/// Why `@unchecked Sendable` is safe: `connection` is read and written only by jobs on `queue`, a serial
/// queue, so libpq's rule of one thread at a time per `PGconn` holds and no blocking call (`PQgetResult`,
/// `PQputCopyData`, `PQconnectdbParams`) ever runs on Swift's cooperative pool. The `PGcancel` object is
/// the one thing touched from other threads (by cancellation handlers); `PQcancel` is documented as
/// thread-safe, and `cancelObject` is behind a mutex so `close()` cannot free it while it is in use.
final class LibPQConnection: @unchecked Sendable {
    private let queue: DispatchQueue
    /// The `PGconn`; nil once closed. Only touched on `queue`.
    private var connection: OpaquePointer?
    /// The `PGcancel` from `PQgetCancel`, freed with `PQfreeCancel` on close.
    private let cancelObject: Mutex<SendablePointer?>
    /// Masked connection description for error messages.
    let display: String
    /// The password given, if any, so libpq messages can be scrubbed of it.
    private let secret: String?

    private init(queue: DispatchQueue, connection: OpaquePointer, display: String, secret: String?) {
        self.queue = queue
        self.connection = connection
        self.cancelObject = Mutex(PQgetCancel(connection).map(SendablePointer.init))
        self.display = display
        self.secret = secret
    }

    deinit {
        // No job can be pending (each job holds a strong reference), so no other thread uses the handle.
        // PQfinish writes a Terminate message and may block: hand it to the queue, never run it on the
        // thread that dropped the last reference, which may belong to the cooperative pool.
        let cancel = cancelObject.withLock { cancel in
            defer { cancel = nil }
            return cancel
        }
        guard let connection else {
            if let cancel { PQfreeCancel(cancel.pointer) }
            return
        }
        let handles = (connection: SendablePointer(connection), cancel: cancel)
        queue.async {
            if let cancel = handles.cancel { PQfreeCancel(cancel.pointer) }
            PQfinish(handles.connection.pointer)
        }
    }

    /// Opens a connection on a new serial queue. `keywords`/`values` go to `PQconnectdbParams` with
    /// `expand_dbname` so a `dbname` value may be a whole conninfo string or URL.
    static func connect(
        keywords: [String], values: [String], display: String, secret: String?
    ) async throws -> LibPQConnection {
        let queue = DispatchQueue(label: "flow.postgres.connection")
        let result: Result<SendablePointer, PostgresError> = await withCheckedContinuation { continuation in
            queue.async {
                let connection = withCStringArray(keywords) { keywordPointers in
                    withCStringArray(values) { valuePointers in
                        PQconnectdbParams(keywordPointers, valuePointers, 1)
                    }
                }
                guard let connection else {
                    continuation.resume(returning: .failure(PostgresError(
                        .connectionFailed, "out of memory allocating the connection", connection: display)))
                    return
                }
                guard PQstatus(connection) == CONNECTION_OK else {
                    let message = scrub(errorText(PQerrorMessage(connection)), secret: secret)
                    PQfinish(connection)
                    continuation.resume(returning: .failure(PostgresError(
                        .connectionFailed, message.isEmpty ? "unknown error" : message, connection: display)))
                    return
                }
                continuation.resume(returning: .success(SendablePointer(connection)))
            }
        }
        let connection = try result.get()
        return LibPQConnection(queue: queue, connection: connection.pointer, display: display, secret: secret)
    }

    /// Runs `body` with the `PGconn` on the connection's queue. If the calling task is cancelled while
    /// the job runs and `cancellable` is true, the server is asked to cancel the running statement
    /// (`PQcancel`). Clean-up jobs pass false: a late cancel request could hit a later statement.
    func run<T: Sendable>(
        cancellable: Bool = true, _ body: @escaping @Sendable (OpaquePointer) throws -> T
    ) async throws -> T {
        guard cancellable else { return try await enqueue(body) }
        return try await withTaskCancellationHandler {
            try await enqueue(body)
        } onCancel: {
            // PQcancel opens a connection to the server and waits: not on the caller's thread, which
            // may belong to the cooperative pool. Not on `queue` either, which is busy with the job.
            DispatchQueue.global().async { self.requestCancel() }
        }
    }

    private func enqueue<T: Sendable>(_ body: @escaping @Sendable (OpaquePointer) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.async {
                guard let connection = self.connection else {
                    continuation.resume(throwing: PostgresError(
                        .connectionClosed, "the connection was closed", connection: self.display))
                    return
                }
                if PQstatus(connection) != CONNECTION_OK {
                    continuation.resume(throwing: PostgresError(
                        .connectionLost, "the connection to the server was lost earlier", connection: self.display))
                    return
                }
                continuation.resume(with: Result { try body(connection) })
            }
        }
    }

    /// Asks the server to cancel the statement in progress. Blocking (it connects to the server), so
    /// call it from a dispatch queue, never from an async context directly. Best effort: a request
    /// that arrives when the session is idle is ignored by the server.
    func requestCancel() {
        cancelObject.withLock { cancel in
            guard let object = cancel else { return }
            var buffer = [CChar](repeating: 0, count: 256)
            _ = PQcancel(object.pointer, &buffer, Int32(buffer.count))
        }
    }

    /// Closes the connection after any queued job; later jobs fail with `connectionClosed`.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            queue.async {
                self.cancelObject.withLock { cancel in
                    if let object = cancel { PQfreeCancel(object.pointer) }
                    cancel = nil
                }
                if let connection = self.connection { PQfinish(connection) }
                self.connection = nil
                continuation.resume()
            }
        }
    }

    // MARK: Errors (called on the queue)

    /// The error for a failed result (or a NULL result), classified as lost when the connection is bad.
    func error(
        from result: OpaquePointer?, connection: OpaquePointer, code: PostgresError.Code, statement: String?
    ) -> PostgresError {
        let sqlState = result.flatMap { field($0, "C") }
        let primary = result.flatMap { field($0, "M") }
        // libpq's own errors (no fields) have only the full message text.
        var message = primary ?? result.map { errorText(PQresultErrorMessage($0)) } ?? ""
        if message.isEmpty { message = errorText(PQerrorMessage(connection)) }
        if message.isEmpty { message = "unknown error" }
        let lost = PQstatus(connection) != CONNECTION_OK
        let lostState = sqlState.map { $0.hasPrefix("08") || ["57P01", "57P02"].contains($0) } ?? false
        if lost, primary == nil || lostState {
            // libpq appends "server closed the connection unexpectedly..." to the connection's message.
            let connectionMessage = errorText(PQerrorMessage(connection))
            if primary != nil, !connectionMessage.isEmpty, !connectionMessage.contains(message) {
                message += "; " + connectionMessage
            } else if primary == nil {
                message = connectionMessage.isEmpty ? message : connectionMessage
            }
        }
        return PostgresError(
            lost || lostState ? .connectionLost : code,
            scrub(message, secret: secret),
            sqlState: sqlState,
            detail: result.flatMap { field($0, "D") }.map { scrub($0, secret: secret) },
            hint: result.flatMap { field($0, "H") },
            context: result.flatMap { field($0, "W") }.map { scrub($0, secret: secret) },
            statement: statement,
            connection: display)
    }

    private func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let pointer = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: pointer)
    }
}

/// A C pointer passed out of a queue job. Safe: the receiver becomes the only user of the pointer.
struct SendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
    init(_ pointer: OpaquePointer) { self.pointer = pointer }
}

/// libpq's message text without the trailing newline; libpq owns the buffer.
func errorText(_ pointer: UnsafeMutablePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    var text = String(cString: pointer)
    while text.last == "\n" || text.last == " " { text.removeLast() }
    return text
}

/// Replaces the password with `***` wherever it appears (libpq does not print it, this is a guard).
func scrub(_ text: String, secret: String?) -> String {
    guard let secret, secret.count >= 3 else { return text }
    return text.replacing(secret, with: "***")
}

/// Calls `body` with an array of C strings (NULL for nil) that lives for the call; the values of
/// `PQexecParams`/`PQsendQueryParams`.
func withOptionalCStrings<R>(_ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R) -> R {
    if strings.isEmpty { return body(nil) }
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { $0.flatMap { strdup($0) } }
    defer { copies.forEach { free($0) } }
    let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with a NULL-terminated array of C strings that lives for the call.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    var pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
    pointers.append(nil)
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Reads and frees results until libpq reports none are left, so the connection is idle again.
func drainResults(_ connection: OpaquePointer) {
    while let result = PQgetResult(connection) {
        let status = PQresultStatus(result)
        PQclear(result)
        if status == PGRES_COPY_IN {
            _ = PQputCopyEnd(connection, "aborted")
        } else if status == PGRES_COPY_OUT {
            // Discard COPY TO STDOUT data.
            var buffer: UnsafeMutablePointer<CChar>?
            while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
        }
        if PQstatus(connection) != CONNECTION_OK { return }
    }
}
