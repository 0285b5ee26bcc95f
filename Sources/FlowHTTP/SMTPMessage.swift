/// One mail to deliver with ``HTTPClient/sendMail(_:)``: the SMTP envelope, the server and the
/// RFC 5322 bytes (build them with ``MailMessage``).
public struct SMTPMessage: Sendable {
    /// `smtp://host:port` (STARTTLS when the server offers it) or `smtps://host:port` (implicit TLS).
    /// A path names the client in EHLO: `smtp://mail.example.com:587/flow.example.com`.
    public var url: String
    /// For AUTH; nil sends none.
    public var username: String?
    public var password: String?
    /// Envelope sender (MAIL FROM), a bare address.
    public var from: String
    /// Envelope recipients (RCPT TO), bare addresses: To, Cc and Bcc together.
    public var recipients: [String]
    /// The message as sent after DATA: headers, blank line, body, CRLF line ends.
    public var data: [UInt8]
    public var timeout: Duration?
    public var connectTimeout: Duration
    /// Fail unless the connection is encrypted (STARTTLS required on `smtp://`).
    public var requireTLS: Bool
    /// Skips TLS certificate verification.
    public var insecure: Bool

    public init(
        url: String,
        username: String? = nil,
        password: String? = nil,
        from: String,
        recipients: [String],
        data: [UInt8],
        timeout: Duration? = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        requireTLS: Bool = false,
        insecure: Bool = false
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.from = from
        self.recipients = recipients
        self.data = data
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.requireTLS = requireTLS
        self.insecure = insecure
    }
}
