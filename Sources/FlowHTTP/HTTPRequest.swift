/// One HTTP (or `file:`) request for ``HTTPClient/execute(_:)``.
public struct HTTPRequest: Sendable {
    /// The method as sent, e.g. "GET", "POST", "PATCH". "HEAD" asks for no body.
    public var method: String
    /// An absolute `http:`, `https:` or `file:` URL; relative paths are resolved by the caller.
    public var url: String
    /// Sent in order; a field with an empty value is sent empty (not removed).
    public var headers: HTTPHeaders
    /// The request body; nil sends none. A body without a Content-Type header gets curl's default,
    /// `application/x-www-form-urlencoded`, so set the header explicitly.
    public var body: [UInt8]?
    /// The whole transfer, from connecting to the last body byte; nil for no limit.
    public var timeout: Duration?
    /// Connecting, including the TLS handshake; `.zero` for libcurl's default (300 s).
    public var connectTimeout: Duration
    /// The transfer fails with ``HTTPClientError/Kind/tooLarge`` as soon as the (decoded) body exceeds
    /// this many bytes, without buffering the rest.
    public var maxResponseBytes: Int?
    /// Skips TLS certificate and host name verification. Only for tests and self-signed endpoints
    /// the user explicitly opted into.
    public var insecure: Bool
    /// Follows up to 10 redirects (http/https only; never into `file:`).
    public var followRedirects: Bool

    public init(
        method: String = "GET",
        url: String,
        headers: HTTPHeaders = [:],
        body: [UInt8]? = nil,
        timeout: Duration? = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        maxResponseBytes: Int? = nil,
        insecure: Bool = false,
        followRedirects: Bool = true
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxResponseBytes = maxResponseBytes
        self.insecure = insecure
        self.followRedirects = followRedirects
    }
}
