import FlowTestSupport
import Testing

@testable import FlowHTTP

/// Credentials never appear in error messages.
@Suite struct URLMaskingTests {
    @Test(arguments: [
        ("https://user:pa55@api.example.com/v1?x=1", "https://***@api.example.com/v1?x=1"),
        ("https://token@api.example.com", "https://***@api.example.com"),
        ("https://api.example.com/x?api_key=abc&page=2", "https://api.example.com/x?api_key=***&page=2"),
        ("https://h/x?access_token=t&ACCESS_TOKEN=u#frag", "https://h/x?access_token=***&ACCESS_TOKEN=***#frag"),
        ("https://h/x?client_secret=s&password=p&q=ok", "https://h/x?client_secret=***&password=***&q=ok"),
        ("https://h/x?sig&key=", "https://h/x?sig&key=***"),
        ("https://h/a@b/c", "https://h/a@b/c"),
        ("smtp://u:p@mail.example.com:587", "smtp://***@mail.example.com:587"),
        ("not a url ?token=1", "not a url ?token=***"),
        ("file:///tmp/x.json", "file:///tmp/x.json"),
    ])
    func mask(input: String, expected: String) {
        #expect(URLMasking.mask(input) == expected)
    }

    @Test func errorsCarryTheMaskedURL() async throws {
        let port = unusedPort()
        let client = HTTPClient()
        do {
            _ = try await client.execute(HTTPRequest(url: "http://me:hunter2@127.0.0.1:\(port)/x?token=s3cr3t&a=b"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .connectFailed)
            #expect(error.url == "http://***@127.0.0.1:\(port)/x?token=***&a=b")
            #expect(!error.description.contains("hunter2"))
            #expect(!error.description.contains("s3cr3t"))
        }
    }
}
