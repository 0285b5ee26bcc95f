import FlowTestSupport
import Testing

@testable import FlowHTTP

/// Network failures map to the documented error kinds, quickly.
@Suite struct TransferErrorTests {
    let server: FixtureServer
    let client = HTTPClient()

    init() throws { server = try FixtureServer.http.get() }

    func error(_ request: HTTPRequest) async -> HTTPClientError? {
        do {
            _ = try await client.execute(request)
            return nil
        } catch {
            return error
        }
    }

    @Test func timeout() async throws {
        let (failure, elapsed) = await measure {
            await error(HTTPRequest(url: server.url("/slow/10000"), timeout: .milliseconds(300)))
        }
        #expect(failure?.kind == .timedOut)
        #expect(failure?.isRetryable == true)
        #expect(elapsed < .seconds(5))  // well before the 10 s reply, with slack for a loaded machine
    }

    @Test func timeoutWhileReceivingTheBody() async throws {
        let failure = await error(HTTPRequest(url: server.url("/slow-body/10000"), timeout: .milliseconds(300)))
        #expect(failure?.kind == .timedOut)
    }

    @Test func connectionClosedMidBody() async throws {
        let failure = await error(HTTPRequest(url: server.url("/reset")))
        #expect(failure?.kind == .connectionReset)
        #expect(failure?.isRetryable == true)
        #expect(failure?.message.isEmpty == false)
    }

    @Test func connectionResetBeforeReply() async throws {
        let failure = await error(HTTPRequest(url: server.url("/rst")))
        #expect(failure?.kind == .connectionReset)
    }

    @Test func notHTTP() async throws {
        let failure = await error(HTTPRequest(url: server.url("/garbage")))
        #expect(failure?.kind == .invalidResponse)
        #expect(failure?.isRetryable == false)
    }

    @Test func unreachablePortFailsQuickly() async throws {
        let port = unusedPort()
        let (failure, elapsed) = await measure {
            await error(HTTPRequest(url: "http://127.0.0.1:\(port)/"))
        }
        #expect(failure?.kind == .connectFailed)
        #expect(failure?.isRetryable == true)
        // Refused at once, not after the 10 s connect timeout (slack for a loaded 2-core CI machine).
        #expect(elapsed < .seconds(3))
    }

    @Test func unresolvableHost() async throws {
        let failure = await error(HTTPRequest(url: "http://flow-test.invalid/", connectTimeout: .seconds(5)))
        #expect(failure?.kind == .connectFailed)
    }

    @Test func headerInjectionIsRefused() async throws {
        let failure = await error(HTTPRequest(url: server.url("/echo"), headers: ["X-Bad": "a\r\nHost: evil"]))
        #expect(failure?.kind == .invalidRequest)
    }

    @Test(arguments: ["X Bad", "X:Bad", "X\tBad", "X\u{0B}Bad", "X\u{A0}Bad", "X\u{2003}Bad", ""])
    func headerNamesWithSpaceOrColonAreRefused(name: String) async throws {
        let failure = await error(HTTPRequest(url: server.url("/echo"), headers: [name: "v"]))
        #expect(failure?.kind == .invalidRequest)
    }

    @Test func unsupportedScheme() async throws {
        let failure = await error(HTTPRequest(url: "ftp://127.0.0.1/file"))
        #expect(failure?.kind == .invalidRequest)
    }

    @Test func tlsAgainstAPlainServerFails() async throws {
        let failure = await error(HTTPRequest(url: "https://127.0.0.1:\(server.port)/echo"))
        #expect(failure?.kind == .tlsFailed)
        #expect(failure?.isRetryable == false)
    }

    @Test func errorDescriptionNamesWhatAndWhere() async throws {
        let failure = await error(HTTPRequest(url: server.url("/slow/2000?token=abc"), timeout: .milliseconds(100)))
        let text = try #require(failure).description
        #expect(text.contains("timed out"))
        #expect(text.contains("/slow/2000?token=***"))
        #expect(!text.contains("abc"))
    }
}
