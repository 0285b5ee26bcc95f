import Foundation
import Testing

@testable import FlowHTTP

/// TLS verification is on by default; `insecure` is the explicit way around a self-signed certificate.
@Suite struct TLSTests {
    let client = HTTPClient()

    @Test func selfSignedCertificateIsRefusedByDefault() async throws {
        let server = try FixtureServer.https.get()
        let error = await failure { () async throws(HTTPClientError) in
            try await client.execute(HTTPRequest(url: server.url("/json", scheme: "https")))
        }
        #expect(error?.kind == .tlsFailed)
        #expect(error?.isRetryable == false)
    }

    @Test func insecureSkipsVerification() async throws {
        let server = try FixtureServer.https.get()
        let request = HTTPRequest(
            method: "POST", url: server.url("/echo", scheme: "https"), body: Array("over tls".utf8), insecure: true)
        let response = try await client.execute(request)
        #expect(response.status == 200)
        #expect(try Echo(response.body).body == "over tls")
    }

    @Test func startTLSIsUsedWhenOffered() async throws {
        let server = try SMTPTests.smtpStartTLS.get()
        let marker = UUID().uuidString
        let message = SMTPMessage(
            url: "smtp://127.0.0.1:\(server.port)", mail: SMTPTests.mail(marker: marker), insecure: true)
        try await client.sendMail(message)
        let record = try await SMTPTests.delivered(
            containing: marker, in: SMTPTests.mailDirectory.path + "-tls")
        #expect(record["tls"] as? Bool == true)
    }

    @Test func startTLSCertificateIsVerifiedByDefault() async throws {
        let server = try SMTPTests.smtpStartTLS.get()
        let message = SMTPMessage(url: "smtp://127.0.0.1:\(server.port)", mail: SMTPTests.mail(marker: "x"))
        let error = await failure { () async throws(HTTPClientError) in try await client.sendMail(message) }
        #expect(error?.kind == .tlsFailed)
    }

    @Test func smtpsIsTLSFromTheStart() async throws {
        let server = try SMTPTests.smtpImplicitTLS.get()
        let marker = UUID().uuidString
        let message = SMTPMessage(
            url: "smtps://127.0.0.1:\(server.port)", username: "flow", password: "secret",
            mail: SMTPTests.mail(marker: marker), insecure: true)
        try await client.sendMail(message)
        let record = try await SMTPTests.delivered(containing: marker, in: SMTPTests.mailDirectory.path + "-smtps")
        #expect(record["tls"] as? Bool == true)
        #expect(record["login"] as? String == "flow")
    }
}
