import Foundation

/// Builds an RFC 5322 message: the headers a mail needs and a UTF-8 text body, with an optional HTML
/// alternative. ``render()`` gives the bytes for ``SMTPMessage/data``.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var cc: [MailAddress]
    /// Receives the mail but appears in no header.
    public var bcc: [MailAddress]
    public var replyTo: [MailAddress]
    public var subject: String
    /// The plain-text body (any line ends; sent as CRLF, quoted-printable).
    public var text: String
    /// An HTML version; makes the message multipart/alternative with ``text`` as the fallback.
    public var html: String?
    /// The Date header; nil uses the time of ``render()``.
    public var date: Date?
    /// The Message-ID header including angle brackets; nil generates `<uuid@sender-domain>`.
    public var messageID: String?
    /// Further header fields, appended as given (ASCII values; they are not encoded; CR/LF become spaces).
    public var extraHeaders: [(name: String, value: String)]

    public init(
        from: MailAddress,
        to: [MailAddress],
        cc: [MailAddress] = [],
        bcc: [MailAddress] = [],
        replyTo: [MailAddress] = [],
        subject: String,
        text: String,
        html: String? = nil,
        date: Date? = nil,
        messageID: String? = nil,
        extraHeaders: [(name: String, value: String)] = []
    ) {
        self.from = from
        self.to = to
        self.cc = cc
        self.bcc = bcc
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.messageID = messageID
        self.extraHeaders = extraHeaders
    }

    /// Envelope recipients: To, Cc and Bcc addresses, without duplicates, in that order.
    public var recipients: [String] {
        var seen = Set<String>()
        return (to + cc + bcc).map(\.address).filter { seen.insert($0.lowercased()).inserted }
    }

    /// The message bytes: CRLF line ends, 7-bit clean (headers encoded, bodies quoted-printable).
    public func render() -> [UInt8] {
        render(boundary: "=_flow_" + UUID().uuidString.replacingAll("-", with: "").lowercased())
    }

    func render(boundary: String) -> [UInt8] {
        var lines: [String] = []
        func header(_ name: String, _ value: String) { lines.append(MIMEEncoding.headerLine(name, value)) }
        func addresses(_ name: String, _ list: [MailAddress]) {
            if !list.isEmpty { header(name, list.map(\.description).joined(separator: ", ")) }
        }

        header("Date", Self.rfc5322Date(date ?? Date()))
        addresses("From", [from])
        addresses("Reply-To", replyTo)
        addresses("To", to)
        addresses("Cc", cc)
        header(
            "Subject",
            MIMEEncoding.needsEncodedWords(subject)
                ? MIMEEncoding.encodedWords(subject).joined(separator: " ") : subject)
        header("Message-ID", messageID ?? Self.generateMessageID(from: from.address))
        header("MIME-Version", "1.0")
        for (name, value) in extraHeaders {
            // A line break would let a value start new header fields (or the body): flatten it.
            header(name.replacingLineBreaks(), value.replacingLineBreaks())
        }

        let textPart = [
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            "",
            MIMEEncoding.quotedPrintable(text),
        ]
        if let html {
            lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            lines.append("")
            lines.append("--\(boundary)")
            lines += textPart
            lines.append("--\(boundary)")
            lines += [
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: quoted-printable",
                "",
                MIMEEncoding.quotedPrintable(html),
            ]
            lines.append("--\(boundary)--")
        } else {
            lines += textPart
        }
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// `Sat, 21 Nov 2026 06:15:36 +0000` (RFC 5322 §3.3), always in UTC.
    static func rfc5322Date(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(parts.tm_mday) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }

    static func generateMessageID(from address: String) -> String {
        let domain = address.split(separator: "@").last.map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let host = (address.contains("@") ? domain : nil) ?? "flow.invalid"
        return "<\(UUID().uuidString.lowercased())@\(host)>"
    }
}

extension SMTPMessage {
    /// An SMTP delivery of `mail`: envelope sender and recipients (To, Cc, Bcc) taken from it.
    public init(
        url: String,
        username: String? = nil,
        password: String? = nil,
        mail: MailMessage,
        timeout: Duration? = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        requireTLS: Bool = false,
        insecure: Bool = false
    ) {
        self.init(
            url: url, username: username, password: password, from: mail.from.address,
            recipients: mail.recipients, data: mail.render(), timeout: timeout,
            connectTimeout: connectTimeout, requireTLS: requireTLS, insecure: insecure)
    }
}
