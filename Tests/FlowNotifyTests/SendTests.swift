import FlowTestSupport
import FlowCore
import FlowHTTP
import FlowJSON
import FlowNotify
import Foundation
import Testing

/// Sending against the real fixtures: retries, failures, and what the receivers get.
@Suite struct SendTests {
    static let fast = Notifier.RetryPolicy(attempts: 3, initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))

    func webhook(_ url: String) throws -> NotifyChannel {
        try NotifyChannel(name: "webhook", fields: ["url": .string(url), "headers": ["X-Flow-Test": "yes"]])
    }

    @Test func serverErrorThenSuccessIsRetried() async throws {
        let http = try await Fixture.http()
        let key = hookKey("retry")
        let notifier = Notifier(retry: Self.fast, masker: SecretMasker())
        let outcome = await notifier.send(try webhook(http.url("/hook/\(key)?fail=1")), message: RunReport(result: Samples.failedRun).defaults)
        #expect(outcome.sent)
        #expect(outcome.attempts == 2)
        let (calls, requests) = try await http.hooks(key)
        #expect(calls == 2)
        let request = try #require(requests.first)
        #expect(request["method"] as? String == "POST")
        let headers = request["headers"] as? [[String]] ?? []
        #expect(headers.contains(["X-Flow-Test", "yes"]))
        #expect(headers.contains { $0.first?.lowercased() == "content-type" && $0.last?.hasPrefix("application/json") == true })
        let body = try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any]
        #expect(body?["run_id"] as? String == "20261121-061218-abc123")
        #expect(body?["status"] as? String == "failed")
    }

    @Test func retryAfterIsHonoured() async throws {
        let http = try await Fixture.http()
        let key = hookKey("after")
        let notifier = Notifier(retry: Self.fast, masker: SecretMasker())
        let start = ContinuousClock.now
        let outcome = await notifier.send(try webhook(http.url("/hook/\(key)?fail=1&retry_after=1")),
                                          message: RunReport(result: Samples.failedRun).defaults)
        #expect(outcome.sent)
        #expect(ContinuousClock.now - start >= .milliseconds(950))
    }

    @Test func persistentFailureGivesUpWithAMaskedError() async throws {
        let http = try await Fixture.http()
        let key = hookKey("down") + "-T0KENVALUE"
        let url = http.url("/hook/\(key)?fail=10")
        let masker = SecretMasker()
        let notifier = Notifier(retry: Self.fast, masker: masker)
        let outcome = await notifier.send(try webhook(url), message: RunReport(result: Samples.failedRun).defaults)
        #expect(!outcome.sent)
        #expect(outcome.attempts == 3)
        let error = try #require(outcome.error)
        #expect(error.contains("HTTP 500"))
        #expect(!error.contains("T0KENVALUE"))
        #expect(masker.mask("sent to \(url)") == "sent to ***")
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let http = try await Fixture.http()
        let notifier = Notifier(retry: Self.fast, masker: SecretMasker())
        let outcome = await notifier.send(try webhook(http.url("/status/404")), message: RunReport(result: Samples.failedRun).defaults)
        #expect(!outcome.sent)
        #expect(outcome.attempts == 1)
        #expect(outcome.error?.contains("HTTP 404: status 404") == true)
    }

    @Test func unreachableServerFailsAfterEveryAttempt() async throws {
        let notifier = Notifier(retry: Self.fast, masker: SecretMasker())
        let url = "smtp://127.0.0.1:\(unusedPort())"
        let channel = try NotifyChannel(name: "email", fields: ["smtp": .string(url), "from": "flow@localhost", "to": "ops@localhost"])
        let outcome = await notifier.send(channel, message: RunReport(result: Samples.failedRun).defaults)
        #expect(!outcome.sent)
        #expect(outcome.attempts == 3)
        #expect(outcome.error?.contains("could not connect") == true)
        // The URL is a secret (it may hold credentials); curl's own text may still name the host.
        #expect(outcome.error?.contains(url) == false)
    }

    @Test func emailIsAProperMessage() async throws {
        let smtp = try await Fixture.smtp()
        let recipient = hookKey("ops") + "@example.com"
        let masker = SecretMasker()
        let notifier = Notifier(retry: Self.fast, masker: masker)
        let channel = try NotifyChannel(name: "email", fields: [
            "smtp": .string("smtp://127.0.0.1:\(smtp.port)"), "username": "flow", "password": .string(Fixture.smtpPassword),
            "from": "Flow <flow@example.com>", "to": [.string(recipient)], "cc": "lead@example.com",
        ])
        let outcome = await notifier.send(channel, message: RunReport(result: Samples.failedRun).defaults)
        #expect(outcome.sent, "\(outcome.error ?? "")")
        let mail = try #require(await smtp.mails(to: recipient).first)
        #expect(mail["mailFrom"] as? String == "flow@example.com")
        #expect(mail["rcptTos"] as? [String] == [recipient, "lead@example.com"])
        #expect(mail["login"] as? String == "flow")
        let data = mail["data"] as? String ?? ""
        #expect(data.contains("Subject: [flow] products failed"))
        #expect(data.contains("From: Flow <flow@example.com>"))
        #expect(data.contains("Cc: lead@example.com"))
        #expect(data.contains("Message-ID: <"))
        #expect(data.contains("Date: "))
        #expect(data.contains("Content-Type: text/plain; charset=utf-8"))
        #expect(data.contains("Content-Type: multipart/alternative"))
        #expect(data.contains("Content-Type: text/html; charset=utf-8"))
        #expect(data.contains("flow runs show 20261121-061218-abc123"))
        #expect(masker.mask(Fixture.smtpPassword) == "***")
    }

    @Test func wrongPasswordIsNotRetried() async throws {
        let smtp = try await Fixture.smtp()
        let notifier = Notifier(retry: Self.fast, masker: SecretMasker())
        let channel = try NotifyChannel(name: "email", fields: [
            "smtp": .string("smtp://127.0.0.1:\(smtp.port)"), "username": "flow", "password": "wrong-password",
            "from": "flow@example.com", "to": "ops@example.com",
        ])
        let outcome = await notifier.send(channel, message: RunReport(result: Samples.failedRun).defaults)
        #expect(!outcome.sent)
        #expect(outcome.attempts == 1)
        #expect(outcome.error?.contains("login denied") == true)
        #expect(outcome.error?.contains("wrong-password") == false)
    }
}
