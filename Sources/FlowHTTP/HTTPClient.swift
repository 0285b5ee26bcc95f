/// An asynchronous HTTP and SMTP client on libcurl.
///
/// Create one per process (``shared``) or one per node; each instance owns one curl multi handle, its
/// connection cache and one thread that drives it (see docs/http-client.md). All methods can be called
/// from any task concurrently. Cancelling the calling task aborts the transfer and throws
/// ``HTTPClientError/Kind/cancelled``.
///
/// libcurl's defaults that stay on: the `http_proxy`/`https_proxy`/`no_proxy` environment variables,
/// TLS verification against the system CA store, HTTP/2 over TLS when the server offers it.
public final class HTTPClient: Sendable {
    /// A process-wide client with the default configuration; never shut down.
    public static let shared = HTTPClient()

    private let worker: CurlWorker

    public init(configuration: Configuration = Configuration()) {
        worker = CurlWorker(configuration: configuration)
    }

    deinit {
        worker.shutDown()
    }

    /// Sends `request` and returns the whole response. A non-2xx status is a response, not an error.
    ///
    /// - Throws: ``HTTPClientError`` when no complete response arrived.
    public func execute(_ request: HTTPRequest) async throws(HTTPClientError) -> HTTPResponse {
        try await worker.perform(.http(request))
    }

    /// Sends `request` without waiting for it: the returned handle's ``HTTPTransfer/response()`` gives
    /// the response. For callers that do other work meanwhile, such as processing the previous page.
    ///
    /// With `previous`, the request is sent when `previous` ends with a 2xx response (the client's
    /// thread starts it at once, without a round trip through the caller), or else when its response
    /// is asked for: a sequence of requests that keeps one in flight, with no gap between them.
    /// Without a usable `previous` (already ended, or already followed), it is sent now.
    public func start(_ request: HTTPRequest, after previous: HTTPTransfer? = nil) -> HTTPTransfer {
        worker.start(.http(request), after: previous.flatMap { $0.worker === worker ? $0.id : nil })
    }

    /// Delivers `message` to its recipients through the SMTP server in its URL.
    ///
    /// - Throws: ``HTTPClientError``; a refused sender or recipient is ``HTTPClientError/Kind/rejected``
    ///   with the server's reply code, and refused credentials ``HTTPClientError/Kind/loginDenied``.
    public func sendMail(_ message: SMTPMessage) async throws(HTTPClientError) {
        _ = try await worker.perform(.mail(message))
    }

    /// Fails every transfer in progress with ``HTTPClientError/Kind/shutDown`` and stops the thread.
    /// Later calls fail the same way. Also done when the client is deinitialized.
    public func shutDown() {
        worker.shutDown()
    }
}
