import Foundation
import Testing

@testable import FlowHTTP

/// The RFC 5322 / MIME message builder.
@Suite struct MailMessageTests {
    let fixedDate = Date(timeIntervalSince1970: 1_795_000_000)

    func rendered(_ message: MailMessage) -> String {
        String(decoding: message.render(boundary: "=_b"), as: UTF8.self)
    }

    @Test func plainASCIIMessage() {
        let message = MailMessage(
            from: MailAddress("a@example.com"), to: [MailAddress("b@example.com", name: "Bob B")],
            subject: "Hello", text: "Hi Bob,\nbye", date: fixedDate, messageID: "<1@example.com>")
        #expect(
            rendered(message) == """
                Date: \(MailMessage.rfc5322Date(fixedDate))\r
                From: a@example.com\r
                To: Bob B <b@example.com>\r
                Subject: Hello\r
                Message-ID: <1@example.com>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                Hi Bob,\r
                bye\r

                """)
    }

    @Test func dateFormat() {
        #expect(MailMessage.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 1 Jan 1970 00:00:00 +0000")
        #expect(MailMessage.rfc5322Date(Date(timeIntervalSince1970: 1_795_000_000)) == "Wed, 18 Nov 2026 11:06:40 +0000")
    }

    @Test func generatedMessageIDUsesTheSenderDomain() {
        let id = MailMessage.generateMessageID(from: "flow@example.org")
        #expect(id.hasPrefix("<") && id.hasSuffix("@example.org>"))
        #expect(MailMessage.generateMessageID(from: "nodomain").hasSuffix("@flow.invalid>"))
    }

    @Test func displayNames() {
        #expect(MailAddress("a@x.org").description == "a@x.org")
        #expect(MailAddress("a@x.org", name: "Ann").description == "Ann <a@x.org>")
        #expect(MailAddress("a@x.org", name: "Doe, Ann \"A\"").description == #""Doe, Ann \"A\"" <a@x.org>"#)
        #expect(MailAddress("a@x.org", name: "Zoë").description == "=?UTF-8?B?Wm/Dqw==?= <a@x.org>")
    }

    @Test func longUnicodeSubjectIsSplitIntoShortEncodedWords() {
        let subject = String(repeating: "Ärger mit dem Workflow ✗ ", count: 6)
        let words = MIMEEncoding.encodedWords(subject)
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 })
        #expect(Self.decodeEncodedWords(words.joined(separator: " ")) == subject)
        let header = MIMEEncoding.headerLine("Subject", words.joined(separator: " "))
        #expect(header.components(separatedBy: "\r\n").allSatisfy { $0.count <= 78 })
    }

    @Test func asciiSubjectThatLooksEncodedIsEncoded() {
        #expect(MIMEEncoding.needsEncodedWords("=?UTF-8?B?x?="))
        #expect(!MIMEEncoding.needsEncodedWords("plain subject"))
    }

    @Test func quotedPrintable() {
        #expect(MIMEEncoding.quotedPrintable("a=b ümlaut") == "a=3Db =C3=BCmlaut")
        #expect(MIMEEncoding.quotedPrintable("trailing \nspace\t") == "trailing=20\r\nspace=09")
        #expect(MIMEEncoding.quotedPrintable("l1\r\nl2\rl3") == "l1\r\nl2\r\nl3")
        let long = String(repeating: "ü", count: 100)
        let encoded = MIMEEncoding.quotedPrintable(long)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 76 })
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix("=") })
        #expect(Self.decodeQuotedPrintable(encoded) == long)
    }

    @Test func base64() {
        #expect(MIMEEncoding.base64(Array("".utf8)) == "")
        #expect(MIMEEncoding.base64(Array("f".utf8)) == "Zg==")
        #expect(MIMEEncoding.base64(Array("fo".utf8)) == "Zm8=")
        #expect(MIMEEncoding.base64(Array("foobar".utf8)) == "Zm9vYmFy")
    }

    @Test func htmlAlternativeIsMultipart() {
        let message = MailMessage(
            from: MailAddress("a@example.com"), to: [MailAddress("b@example.com")], subject: "s",
            text: "plain", html: "<p>rich</p>", date: fixedDate, messageID: "<1@x>")
        let text = rendered(message)
        #expect(text.contains("Content-Type: multipart/alternative;\r\n boundary=\"=_b\"\r\n\r\n--=_b\r\n"))
        #expect(text.contains("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nplain\r\n--=_b\r\n"))
        #expect(text.contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>rich</p>\r\n--=_b--\r\n"))
    }

    @Test func extraHeadersCannotInjectFields() {
        let message = MailMessage(
            from: MailAddress("a@x.org"), to: [MailAddress("b@x.org")], subject: "s", text: "t",
            extraHeaders: [(name: "X-Run", value: "42\r\nBcc: evil@x.org")])
        #expect(rendered(message).contains("X-Run: 42  Bcc: evil@x.org\r\n"))
    }

    @Test func recipientsIncludeBccWithoutDuplicates() {
        let message = MailMessage(
            from: MailAddress("a@x.org"), to: [MailAddress("b@x.org"), MailAddress("c@x.org")],
            cc: [MailAddress("B@x.org")], bcc: [MailAddress("hidden@x.org")], subject: "s", text: "t")
        #expect(message.recipients == ["b@x.org", "c@x.org", "hidden@x.org"])
        #expect(!rendered(message).contains("hidden"))
    }

    // MARK: Decoders for checking the encoders

    static func decodeEncodedWords(_ header: String) -> String {
        var value = header
        if let colon = value.firstIndex(of: ":"), value.hasPrefix("Subject") {
            value = String(value[value.index(after: colon)...])
        }
        var bytes: [UInt8] = []
        for word in value.replacingOccurrences(of: "\r\n", with: " ").split(separator: " ") {
            guard word.hasPrefix("=?UTF-8?B?"), word.hasSuffix("?=") else { continue }
            let payload = word.dropFirst(10).dropLast(2)
            bytes += Data(base64Encoded: String(payload)).map(Array.init) ?? []
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func decodeQuotedPrintable(_ text: String) -> String {
        let utf8 = Array(text.replacingOccurrences(of: "=\r\n", with: "").utf8)
        var bytes: [UInt8] = []
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "="), i + 2 < utf8.count,
                let byte = UInt8(String(decoding: utf8[(i + 1)...(i + 2)], as: UTF8.self), radix: 16)
            {
                bytes.append(byte)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
