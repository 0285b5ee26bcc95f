import FlowCore
import FlowJSON
import Foundation
import Testing

/// Retries of single requests: 429 with Retry-After, 5xx, broken connections, timeouts.
@Suite struct WebAPIRetryTests {
    static func key() -> String { UUID().uuidString }

    @Test func tooManyRequestsWaitsForRetryAfterThenSucceeds() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/retry-after/1?key=\(Self.key())
            retry: { attempts: 3, initial: 10ms }
            """)
        #expect(out.error == nil)
        #expect(out.records == [["ok": true, "attempt": 2]])
        #expect(out.metrics["retries"] == 1)
        // Retry-After: 1 beats the 10 ms backoff.
        #expect(out.elapsed >= .milliseconds(950))
    }

    @Test func serverErrorsThenSuccess() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/fail-then-ok/2?key=\(Self.key())
            retry: { attempts: 4, initial: 10ms }
            """)
        #expect(out.error == nil)
        #expect(out.records == [["ok": true, "attempt": 3]])
        #expect(out.metrics["requests"] == 3)
    }

    @Test func serverErrorsUntilAttemptsRunOut() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/fail-then-ok/99?key=\(Self.key())
            retry: { attempts: 3, initial: 10ms }
            """)
        #expect(out.status == .failed)
        #expect(out.records.isEmpty)
        let error = try #require(out.error)
        #expect(error.contains("node `fetch` (webapi) failed: GET http://127.0.0.1:"), "\(error)")
        #expect(error.contains("answered 500 after 3 attempts"), "\(error)")
        // Exactly three requests: the engine does not retry the node on top of its requests.
        #expect(error.contains(#""attempt": 3"#), "\(error)")
        #expect(out.metrics["requests"] == 3)
    }

    @Test func webapiRetriesThreeTimesByDefault() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/fail-then-ok/99?key=\(Self.key())
            """, extra: "defaults: { retry: { attempts: 2, initial: 10ms } }\n")
        // `defaults.retry` applies; without it webapi would make 3 attempts (see docs/webapi.md).
        #expect(out.error?.contains("after 2 attempts") == true, "\(out.error ?? "")")
    }

    @Test func connectionResetMidBodyIsRetried() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/reset-then-ok/1?key=\(Self.key())
            retry: { attempts: 2, initial: 10ms }
            """)
        #expect(out.error == nil)
        #expect(out.records == [["ok": true, "attempt": 2]])
    }

    @Test func connectionResetEveryTimeFails() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/reset
            retry: { attempts: 2, initial: 10ms }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("connection broken during the transfer") == true, "\(out.error ?? "")")
        #expect(out.error?.contains("after 2 attempts") == true)
    }

    @Test func slowServerPastTheTimeout() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/slow/3000
            request_timeout: 300ms
            retry: { attempts: 1 }
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("timed out") == true, "\(out.error ?? "")")
        #expect(out.error?.contains("request_timeout") == true)
        #expect(out.elapsed < .seconds(2.5))
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/status/404
            retry: { attempts: 5, initial: 10ms }
            """)
        #expect(out.status == .failed)
        #expect(out.metrics["requests"] == 1)
        #expect(out.error?.contains("answered 404: status 404") == true, "\(out.error ?? "")")
        #expect(out.error?.contains("accept_status") == true)
    }

    @Test func theNodeTimeoutCancelsRequestsAndRetryWaits() async throws {
        let base = try WebAPIHarness.base()
        let out = await WebAPIHarness.run("""
            url: \(base)/slow/5000
            timeout: 500ms
            """)
        #expect(out.status == .failed)
        #expect(out.error?.contains("timed out after 500ms") == true, "\(out.error ?? "")")
        #expect(out.elapsed < .seconds(3))
    }
}
