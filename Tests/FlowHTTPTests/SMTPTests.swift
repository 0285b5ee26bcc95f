import FlowTestSupport
import Foundation
import Testing

@testable import FlowHTTP

/// Mail delivery through a real SMTP server (aiosmtpd, Tests/Fixtures/smtp_fixture.py).
@Suite struct SMTPTests {
    static let mailDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("flow-smtp-\(UUID().uuidString)")
    static let smtp = Result { try FixtureServer(script: "smtp_fixture.py", arguments: [mailDirectory.path]) }
    static let smtpStartTLS = Result {
        try FixtureServer(script: "smtp_fixture.py", arguments: [mailDirectory.path + "-tls", "--starttls"])
    }
    static let smtpImplicitTLS = Result {
        try FixtureServer(script: "smtp_fixture.py", arguments: [mailDirectory.path + "-smtps", "--implicit-tls"])
    }

    let client = HTTPClient()
    let url: String

    init() throws { url = "smtp://127.0.0.1:\(try Self.smtp.get().port)" }

    /// The stored message whose data contains `marker`, waiting briefly for the server to write it.
    static func delivered(containing marker: String, in directory: String = mailDirectory.path) async throws
        -> [String: Any]
    {
        for _ in 0..<50 {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for file in files where file.hasSuffix(".json") {
                let data = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(file))
                if let record = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                    (record["data"] as? String)?.contains(marker) == true
                {
                    return record
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw FixtureError(message: "no delivered message contains \(marker)")
    }

    static func mail(marker: String) -> MailMessage {
        MailMessage(
            from: MailAddress("flow@example.com", name: "Flow Bot"),
            to: [MailAddress("ops@example.com", name: "Zoë Ops"), MailAddress("dev@example.com")],
            cc: [MailAddress("cc@example.com")],
            bcc: [MailAddress("audit@example.com")],
            subject: "Ünïcode run failed ✗ \(marker)",
            text: "Workflow \(marker) failed.\n.\nLine with a lone dot above; ümlaut.\n")
    }

    @Test func deliversARenderedMessage() async throws {
        let marker = UUID().uuidString
        try await client.sendMail(SMTPMessage(url: url, mail: Self.mail(marker: marker)))
        let record = try await Self.delivered(containing: marker)
        #expect(record["mailFrom"] as? String == "flow@example.com")
        #expect(record["rcptTos"] as? [String] == ["ops@example.com", "dev@example.com", "cc@example.com", "audit@example.com"])
        let data = try #require(record["data"] as? String)
        #expect(data.contains("From: Flow Bot <flow@example.com>\r\n"))
        #expect(data.contains("Cc: cc@example.com\r\n"))
        #expect(!data.contains("audit@example.com"))
        #expect(data.contains("MIME-Version: 1.0\r\n"))
        #expect(data.contains("Content-Type: text/plain; charset=utf-8\r\n"))
        #expect(data.contains("\r\n.\r\nLine with a lone dot above; =C3=BCmlaut."))  // dot-stuffing undone by the server
        // The subject arrives as encoded-words that decode to the original text.
        let subjectLines = try #require(data.components(separatedBy: "\r\n\r\n").first)
            .components(separatedBy: "\r\n").drop { !$0.hasPrefix("Subject:") }
            .prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(MailMessageTests.decodeEncodedWords(subjectLines.joined(separator: "\r\n")) == "Ünïcode run failed ✗ \(marker)")
        #expect(record["login"] is NSNull)
    }

    @Test func authenticates() async throws {
        let marker = UUID().uuidString
        try await client.sendMail(SMTPMessage(url: url, username: "flow", password: "secret", mail: Self.mail(marker: marker)))
        let record = try await Self.delivered(containing: marker)
        #expect(record["login"] as? String == "flow")
    }

    @Test func wrongPasswordIsLoginDenied() async throws {
        do {
            try await client.sendMail(SMTPMessage(url: url, username: "flow", password: "wrong", mail: Self.mail(marker: "x")))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .loginDenied)
            #expect(!error.isRetryable)
        }
    }

    @Test func refusedRecipientIsRejectedPermanently() async throws {
        let message = SMTPMessage(url: url, from: "flow@example.com", recipients: ["nobody@reject.invalid"], data: Array("Subject: x\r\n\r\nx\r\n".utf8))
        do {
            try await client.sendMail(message)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .rejected)
            #expect(error.responseCode == 550)
            #expect(!error.isRetryable)
        }
    }

    @Test func temporaryRefusalIsRetryable() async throws {
        let message = SMTPMessage(url: url, from: "flow@example.com", recipients: ["later@tempfail.invalid"], data: Array("Subject: x\r\n\r\nx\r\n".utf8))
        do {
            try await client.sendMail(message)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .rejected)
            #expect(error.responseCode == 451)
            #expect(error.isRetryable)
        }
    }

    @Test func requireTLSFailsWithoutSTARTTLS() async throws {
        let error = await failure { () async throws(HTTPClientError) in
            try await client.sendMail(SMTPMessage(url: url, mail: Self.mail(marker: "tls"), requireTLS: true))
        }
        #expect(error?.kind == .tlsFailed)
    }

    @Test func unreachableServer() async throws {
        let message = SMTPMessage(url: "smtp://127.0.0.1:\(unusedPort())", mail: Self.mail(marker: "x"))
        do {
            try await client.sendMail(message)
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .connectFailed)
        }
    }
}
