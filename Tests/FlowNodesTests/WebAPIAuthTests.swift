import FlowCore
import FlowJSON
import Foundation
import Testing

/// Each `auth` type arrives at the server as configured; OAuth2 tokens are cached and refreshed.
@Suite struct WebAPIAuthTests {
    static func header(_ echo: JSON?, _ name: String) -> String? {
        (echo?["headers"]?.arrayValue ?? []).first { $0[0]?.stringValue?.lowercased() == name.lowercased() }?[1]?.stringValue
    }

    @Test func bearer() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/echo
            auth: { type: bearer, token: abc.def.ghi }
            """)
        #expect(Self.header(out.records.first, "Authorization") == "Bearer abc.def.ghi")
    }

    @Test func basic() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/echo
            auth: { type: basic, username: aladdin, password: "open sesame" }
            """)
        #expect(Self.header(out.records.first, "Authorization") == "Basic YWxhZGRpbjpvcGVuIHNlc2FtZQ==")
    }

    @Test func apiKeyInAHeader() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/echo
            auth: { type: api_key, value: k-123, name: X-Key }
            """)
        #expect(Self.header(out.records.first, "X-Key") == "k-123")
    }

    @Test func apiKeyInTheQueryIsSentOnEveryPage() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/link-pages/3
            auth: { type: api_key, value: k-456, in: query, name: apikey }
            paginate: { style: header_link }
            emit: response
            """)
        #expect(out.error == nil)
        #expect(out.records.count == 3)
        // The URL in the record is masked: `apikey` looks secret, and the key is a secret value.
        #expect(out.records.allSatisfy { $0["url"]?.stringValue?.contains("apikey=***") == true })
        #expect(!out.records.contains { $0["url"]?.stringValue?.contains("k-456") == true })
    }

    @Test func oauth2TokenIsFetchedOnceForManyRequests() async throws {
        let base = try WebAPIHarness.base()
        let key = UUID().uuidString
        let out = await WebAPIHarness.run("""
            url: "\(base)/oauth/api?key=\(key)&n=${record.n}"
            auth: { type: oauth2_client_credentials, token_url: "\(base)/oauth/token?key=\(key)", client_id: app, client_secret: s3cret, scope: read }
            parallel: 3
            """, records: "[{n: 1}, {n: 2}, {n: 3}, {n: 4}, {n: 5}, {n: 6}]")
        #expect(out.error == nil)
        #expect(out.records.count == 6)
        #expect(out.records.allSatisfy { $0["token"]?.stringValue == "tok-\(key)-1" })
    }

    @Test func oauth2TokenIsRefreshedAfterA401() async throws {
        let base = try WebAPIHarness.base()
        let key = UUID().uuidString
        let out = await WebAPIHarness.run("""
            url: "\(base)/oauth/api?key=\(key)&reject_first=1"
            auth: { type: oauth2_client_credentials, token_url: "\(base)/oauth/token?key=\(key)", client_id: app, client_secret: s3cret, client_auth: basic }
            """)
        #expect(out.error == nil, "\(out.error ?? "")")
        #expect(out.records.first?["token"]?.stringValue == "tok-\(key)-2")
    }

    @Test func oauth2BadClientFailsClearly() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: "\(base)/oauth/api"
            auth: { type: oauth2_client_credentials, token_url: "\(base)/oauth/token", client_id: app, client_secret: wrong-secret }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("answered 401 without an access token: invalid_client") == true, "\(out.error ?? "")")
        #expect(out.error?.contains("wrong-secret") == false)
    }
}
