import FlowCore
import Testing

/// What `flow validate` reports for a `webapi` node, without sending anything.
@Suite struct WebAPIValidationTests {
    static func first(_ body: String, input: Bool = false) -> String {
        WebAPIHarness.validate(body, input: input).joined(separator: "\n")
    }

    @Test func aValidNodeHasNoDiagnostics() {
        #expect(Self.first("""
            url: https://api.example.com/items
            auth: { type: bearer, token: t }
            paginate: { style: offset, limit: 100, offset_param: skip, total: $.total }
            parallel: 4
            """) == "")
    }

    @Test func urlShape() {
        #expect(Self.first("url: ftp://example.com/x").contains("scheme `ftp:` is not supported"))
        #expect(Self.first("url: example.com/x").contains("is not an absolute URL"))
        #expect(Self.first("url: http:///path").contains("has no host"))
        // A template is checked when it is evaluated.
        #expect(Self.first("url: \"${env.API_URL}/items\"") == "")
    }

    @Test func authBlocks() {
        #expect(Self.first("""
            url: https://x.example
            auth: { type: bearer }
            """).contains("`auth` of type `bearer` needs `token`"))
        #expect(Self.first("""
            url: https://x.example
            auth: { type: basic, username: u, token: t }
            """).contains("`token` does not apply to `auth` of type `basic`"))
        #expect(Self.first("""
            url: https://x.example
            auth: { type: oauth2_client_credentials, token_url: "not a url", client_id: a, client_secret: b }
            """).contains("`auth.token_url`"))
        #expect(Self.first("""
            url: https://x.example
            auth: { type: digest }
            """).contains("must be one of"))
    }

    @Test func paginateBlocks() {
        #expect(Self.first("""
            url: https://x.example
            paginate: { style: offset }
            """).contains("`paginate` style `offset` needs `limit`"))
        #expect(Self.first("""
            url: https://x.example
            paginate: { style: cursor, cursor: $.next, next: $.x }
            """).contains("`next` does not apply to `paginate` style `cursor`"))
    }

    @Test func jsonPathErrorsAreLocated() {
        let text = Self.first("""
            url: https://x.example
            paginate: { style: json_link, next: "$.links[?@.rel == ]" }
            """)
        #expect(text.contains("invalid JSONPath in `paginate.next`"), "\(text)")
        // Line 6 of the generated workflow, at the offending character inside the path.
        #expect(text.hasPrefix("6:60 "), "\(text)")
    }

    @Test func parallelOnlyWhereItCanWork() {
        #expect(Self.first("""
            url: https://x.example
            paginate: { style: json_link, next: $.next }
            parallel: 4
            """).contains("`parallel` needs pages that are known in advance"))
        #expect(Self.first("""
            url: https://x.example
            paginate: { style: offset, limit: 10 }
            parallel: 4
            """).contains("`parallel` needs pages that are known in advance"))
        #expect(Self.first("""
            url: https://x.example/${record.id}
            paginate: { style: json_link, next: $.next }
            parallel: 4
            """, input: true) == "")
    }

    @Test func recordNeedsAnInput() {
        #expect(Self.first("url: https://x.example/${record.id}").contains("`${record...}` needs an `input`"))
    }
}
