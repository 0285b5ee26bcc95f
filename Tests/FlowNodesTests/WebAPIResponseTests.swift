import FlowTestSupport
import FlowCore
import FlowJSON
import Foundation
import Testing

/// What a response becomes: parsed JSON, text, the response envelope, or a located error.
@Suite struct WebAPIResponseTests {
    @Test func malformedJSONNamesTheNodeTheURLAndTheOffset() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("url: \(base)/malformed")
        #expect(out.status == .failed)
        let error = try #require(out.error)
        #expect(error.contains("node `fetch` (webapi) failed: malformed JSON from \(base)/malformed at byte 26 (line 1, column 27): unterminated string"), "\(error)")
    }

    @Test func hugeBodyPastTheLimit() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/bytes/5000000?chunked=1
            max_response_bytes: 100000
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("larger than the limit of 100000 bytes") == true, "\(out.error ?? "")")
        #expect(out.metrics["requests"] == 1)
    }

    @Test func textBodiesAreStrings() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("url: \(base)/status/200")
        #expect(out.records == ["status 200\n"])
    }

    @Test func responseEnvelope() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/status/404?header=X-Thing:abc
            accept_status: [404]
            emit: response
            """)
        #expect(out.error == nil)
        let record = try #require(out.records.first)
        #expect(record["status"] == 404)
        #expect(record["body"] == "status 404\n")
        #expect(record["headers"]?["x-thing"] == "abc")
        #expect(record["url"]?.stringValue == "\(base)/status/404?header=X-Thing:abc")
    }

    @Test func acceptStatusClassesAndRanges() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/status/410
            accept_status: ["400-404", 4xx]
            """)
        #expect(out.error == nil)
        #expect(out.records == ["status 410\n"])
    }

    @Test func requestPartsArriveAsConfigured() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/echo
            method: POST
            query: { q: "a b&c", n: 5, skip: null }
            headers: { X-Trace: t-1 }
            body: { name: flow, tags: [a, b] }
            """)
        #expect(out.error == nil)
        let echo = try #require(out.records.first)
        #expect(echo["method"] == "POST")
        #expect(echo["query"] == "q=a%20b%26c&n=5")
        #expect(echo["body"] == #"{"name":"flow","tags":["a","b"]}"#)
        let headers = echo["headers"]?.arrayValue ?? []
        #expect(headers.contains(["X-Trace", "t-1"]))
        #expect(headers.contains(["Content-Type", "application/json"]))
    }

    @Test func formBodies() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/echo
            method: POST
            body: { a: "1 2", b: x }
            body_format: form
            """)
        let echo = try #require(out.records.first)
        #expect(echo["body"] == "a=1%202&b=x")
        #expect((echo["headers"]?.arrayValue ?? []).contains(["Content-Type", "application/x-www-form-urlencoded"]))
    }

    @Test func rateLimitSpacesRequests() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: "\(base)/json?n=${record.n}"
            rate_limit: 10
            parallel: 4
            """, records: "[{n: 1}, {n: 2}, {n: 3}, {n: 4}, {n: 5}, {n: 6}]")
        #expect(out.error == nil)
        #expect(out.records.count == 6)
        // Six requests at 10 per second: the last one starts 500 ms after the first.
        #expect(out.elapsed >= .milliseconds(480))
    }

    @Test func selfSignedCertificatesNeedInsecure() async throws {
        let base = try HTTPFixture.tls.get().url("")
        let refused = await WebAPIHarness.run("""
            url: \(base)/json
            retry: { attempts: 1 }
            """)
        #expect(refused.status == .failed)
        #expect(refused.error?.contains("TLS failed") == true, "\(refused.error ?? "")")
        #expect(refused.error?.contains("insecure: true") == true)

        let accepted = await WebAPIHarness.run("""
            url: \(base)/json
            insecure: true
            """)
        #expect(accepted.error == nil)
        #expect(accepted.records.first?["name"] == "flow")
    }
}
