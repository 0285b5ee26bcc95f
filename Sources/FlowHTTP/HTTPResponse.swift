/// A complete response: status, the final response's headers and the whole body.
public struct HTTPResponse: Sendable {
    /// The HTTP status code; 200 for a `file:` URL that was read.
    public var status: Int
    /// Headers of the last response (after redirects), in order, without the status line.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The URL of the last request after redirects.
    public var effectiveURL: String
    public var httpVersion: HTTPVersion

    public init(
        status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], effectiveURL: String,
        httpVersion: HTTPVersion = .http1_1
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.effectiveURL = effectiveURL
        self.httpVersion = httpVersion
    }

    /// 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// 408, 425, 429, 500, 502, 503, 504: worth another attempt, after ``retryAfter`` if given.
    public var isRetryableStatus: Bool { [408, 425, 429, 500, 502, 503, 504].contains(status) }

    /// The `Retry-After` header when it holds delay-seconds (the HTTP-date form is not interpreted).
    public var retryAfter: Duration? {
        guard let value = headers["Retry-After"]?.trimmingSpaces, let seconds = Int(value), seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }
}

/// The protocol version a response arrived with.
public enum HTTPVersion: Sendable, Hashable, CustomStringConvertible {
    case http1_0, http1_1, http2, http3
    /// Not HTTP (a `file:` URL) or not reported.
    case unknown

    public var description: String {
        switch self {
        case .http1_0: "HTTP/1.0"
        case .http1_1: "HTTP/1.1"
        case .http2: "HTTP/2"
        case .http3: "HTTP/3"
        case .unknown: "unknown"
        }
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, CR and LF (scalar-wise: "\r\n" is one Character).
    var trimmingSpaces: String {
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, isSpace(first) { scalars.removeFirst() }
        while let last = scalars.last, isSpace(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// True when the text holds a CR or LF (which would end a header line early).
    var containsLineBreak: Bool {
        utf8.contains { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
    }
}
