/// Why an HTTP or SMTP transfer failed, with the URL it was for (credentials masked).
///
/// Compare ``kind`` against the static members of ``Kind``; use ``isRetryable`` to decide whether
/// another attempt can help.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        case connectFailed
        case timedOut
        case connectionReset
        case tooLarge(limit: Int)
        case tlsFailed
        case invalidResponse
        case invalidRequest
        case loginDenied
        case rejected(responseCode: Int)
        case cancelled
        case shutDown
        case other(curlCode: Int)
    }

    /// The category of an ``HTTPClientError``; a struct so that new kinds do not break callers' switches.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        fileprivate let name: String

        /// DNS resolution or TCP connect failed (refused, unreachable, resolve error, connect timeout).
        public static let connectFailed = Kind(name: "connectFailed")
        /// The transfer or connect timeout elapsed.
        public static let timedOut = Kind(name: "timedOut")
        /// The connection broke while sending or receiving (reset, closed early, partial body).
        public static let connectionReset = Kind(name: "connectionReset")
        /// The response body exceeded ``HTTPRequest/maxResponseBytes``; the transfer was aborted.
        public static let tooLarge = Kind(name: "tooLarge")
        /// TLS handshake or certificate verification failed.
        public static let tlsFailed = Kind(name: "tlsFailed")
        /// The server's reply was not valid for the protocol.
        public static let invalidResponse = Kind(name: "invalidResponse")
        /// The request could not be sent as given (e.g. a line break inside a header value).
        public static let invalidRequest = Kind(name: "invalidRequest")
        /// SMTP authentication was refused.
        public static let loginDenied = Kind(name: "loginDenied")
        /// The SMTP server refused the mail (``responseCode`` tells which reply).
        public static let rejected = Kind(name: "rejected")
        /// The Swift task was cancelled.
        public static let cancelled = Kind(name: "cancelled")
        /// The client was shut down.
        public static let shutDown = Kind(name: "shutDown")
        /// Any other libcurl error; see ``curlCode`` and ``message``.
        public static let other = Kind(name: "other")

        public var description: String { name }
    }

    private let code: Code
    /// The request URL with credentials masked (see ``URLMasking``).
    public let url: String
    /// libcurl's error text for this transfer, when it gave one.
    public let message: String

    private init(code: Code, url: String, message: String) {
        self.code = code
        self.url = URLMasking.mask(url)
        self.message = message
    }

    public var kind: Kind {
        switch code {
        case .connectFailed: .connectFailed
        case .timedOut: .timedOut
        case .connectionReset: .connectionReset
        case .tooLarge: .tooLarge
        case .tlsFailed: .tlsFailed
        case .invalidResponse: .invalidResponse
        case .invalidRequest: .invalidRequest
        case .loginDenied: .loginDenied
        case .rejected: .rejected
        case .cancelled: .cancelled
        case .shutDown: .shutDown
        case .other: .other
        }
    }

    /// The limit that was exceeded, for ``Kind/tooLarge``.
    public var limit: Int? {
        if case .tooLarge(let limit) = code { return limit }
        return nil
    }

    /// The libcurl `CURLcode`, for ``Kind/other``.
    public var curlCode: Int? {
        if case .other(let curlCode) = code { return curlCode }
        return nil
    }

    /// The server's reply code, for ``Kind/rejected`` (SMTP).
    public var responseCode: Int? {
        if case .rejected(let responseCode) = code { return responseCode }
        return nil
    }

    /// True when the same request may succeed if tried again later: connection problems, timeouts,
    /// and SMTP 4xx (transient) replies. TLS, size, protocol and permanent refusals are not retryable.
    public var isRetryable: Bool {
        switch code {
        case .connectFailed, .timedOut, .connectionReset: true
        case .rejected(let responseCode): (400..<500).contains(responseCode)
        default: false
        }
    }

    public var description: String {
        let what: String
        switch code {
        case .connectFailed: what = "could not connect"
        case .timedOut: what = "timed out"
        case .connectionReset: what = "connection broken during the transfer"
        case .tooLarge(let limit): what = "response larger than the limit of \(limit) bytes; transfer aborted"
        case .tlsFailed: what = "TLS failed"
        case .invalidResponse: what = "invalid response from the server"
        case .invalidRequest: what = "invalid request"
        case .loginDenied: what = "login denied"
        case .rejected(let responseCode): what = "server refused with reply \(responseCode)"
        case .cancelled: what = "cancelled"
        case .shutDown: what = "the HTTP client was shut down"
        case .other(let curlCode): what = "libcurl error \(curlCode)"
        }
        let detail = message.isEmpty ? "" : ": \(message)"
        return "\(what) (\(url))\(detail)"
    }

    // MARK: Construction inside the module

    static func cancelled(url: String) -> HTTPClientError {
        HTTPClientError(code: .cancelled, url: url, message: "")
    }

    static func shutDown(url: String) -> HTTPClientError {
        HTTPClientError(code: .shutDown, url: url, message: "")
    }

    static func invalidRequest(_ message: String, url: String) -> HTTPClientError {
        HTTPClientError(code: .invalidRequest, url: url, message: message)
    }

    static func tooLarge(limit: Int, url: String) -> HTTPClientError {
        HTTPClientError(code: .tooLarge(limit: limit), url: url, message: "")
    }

    /// Maps a failed `CURLcode` (as its raw value) to an error.
    ///
    /// - Parameters:
    ///   - responseCode: the last SMTP reply code for mail transfers (0 for HTTP), so that a refused
    ///     recipient is `rejected` and not a broken connection.
    static func curl(
        code curlCode: Int, message: String, url: String, responseCode: Int = 0
    ) -> HTTPClientError {
        let code: Code
        switch curlCode {
        case 5, 6, 7, 45:  // COULDNT_RESOLVE_PROXY, COULDNT_RESOLVE_HOST, COULDNT_CONNECT, INTERFACE_FAILED
            code = .connectFailed
        case 28:  // OPERATION_TIMEDOUT
            code = .timedOut
        case 67:  // LOGIN_DENIED
            code = .loginDenied
        case _ where responseCode == 535 || responseCode == 530:  // SMTP: bad credentials, auth required
            code = .loginDenied
        case _ where responseCode >= 400:  // SMTP refused a command; curl reports it as a send/recv error
            code = .rejected(responseCode: responseCode)
        case 55, 56, 18, 52, 16, 92:  // SEND_ERROR, RECV_ERROR, PARTIAL_FILE, GOT_NOTHING, HTTP2, HTTP2_STREAM
            code = .connectionReset
        case 35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91:  // SSL_* and USE_SSL_FAILED
            code = .tlsFailed
        case 8, 1:  // WEIRD_SERVER_REPLY; UNSUPPORTED_PROTOCOL at run time = an HTTP/0.9 reply or a bad redirect
            code = .invalidResponse
        default:
            code = .other(curlCode: curlCode)
        }
        return HTTPClientError(code: code, url: url, message: message)
    }
}
