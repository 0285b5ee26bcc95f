import FlowTestSupport
import Foundation
import Testing

/// Credentials given to `webapi` never reach the terminal: not in logs, retries, errors (which quote
/// the response), dry-run plans or graphs. Runs the built `flow` binary against the fixture server.
@Suite struct WebAPIMaskingTests {
    static let bearer = "sekret-bearer-token-123"
    static let apiKey = "query-key-abc-999"
    static let headerKey = "literal-header-key-777"
    static let literalToken = "literal-bearer-555"

    /// Every response of /echo-status/500 quotes the request headers back, so an unmasked credential
    /// would show up in the retry warnings and in the final error.
    static func workflow(base: String, key: String) -> String {
        """
        name: masking
        nodes:
          bearer:
            type: webapi
            url: \(base)/echo-status/500
            headers: { X-Api-Key: \(headerKey) }
            auth: { type: bearer, token: "${secrets.API_TOKEN}" }
            retry: { attempts: 2, initial: 10ms }
            on_error: continue
          query_key:
            type: webapi
            url: \(base)/echo-status/500
            auth: { type: api_key, in: query, name: sig, value: "${secrets.API_KEY}" }
            retry: { attempts: 2, initial: 10ms }
            on_error: continue
          oauth:
            type: webapi
            url: \(base)/echo-status/500
            auth: { type: oauth2_client_credentials, token_url: "\(base)/oauth/token?key=\(key)", client_id: app, client_secret: "${secrets.CLIENT_SECRET}" }
            retry: { attempts: 2, initial: 10ms }
            on_error: continue
          literal:
            type: webapi
            url: \(base)/echo-status/503
            auth: { type: basic, username: someone, password: \(literalToken) }
            retry: { attempts: 1 }
            on_error: continue
          out:
            type: file_output
            input: [bearer, query_key, oauth, literal]
            path: /dev/null
            format: ndjson
        """
    }

    static let environment = ["API_TOKEN": bearer, "API_KEY": apiKey, "CLIENT_SECRET": "s3cret"]

    static func leaks(_ text: String, key: String) -> [String] {
        var secrets = [bearer, apiKey, headerKey, literalToken, "s3cret", "tok-\(key)-1"]
        secrets.append(Data("someone:\(literalToken)".utf8).base64EncodedString())
        return secrets.filter { text.contains($0) }
    }

    static func workflowFile(_ text: String) throws -> (dir: URL, file: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-webapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("masking.yaml")
        try Data(text.utf8).write(to: file)
        return (dir, file.path)
    }

    @Test func runLogsAndErrorsAreMasked() throws {
        let base = try HTTPFixture.shared.get().url("")
        let key = UUID().uuidString
        let (dir, file) = try Self.workflowFile(Self.workflow(base: base, key: key))
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = FlowBinary.run(["run", file, "--no-progress"], env: Self.environment)
        let output = result.stdout + result.stderr
        #expect(result.status != 0)
        // The requests really failed with the echoed headers in the messages...
        #expect(output.contains("answered 500 after 2 attempts"), "\(output)")
        #expect(output.contains("answered 503"), "\(output)")
        #expect(output.contains("retrying"), "\(output)")
        #expect(output.contains("Bearer ***"), "\(output)")
        #expect(output.contains("sig=***"), "\(output)")
        // ...and no credential appears anywhere.
        #expect(Self.leaks(output, key: key) == [], "\(output)")
    }

    @Test func dryRunAndGraphAreMasked() throws {
        let base = try HTTPFixture.shared.get().url("")
        let key = UUID().uuidString
        let (dir, file) = try Self.workflowFile(Self.workflow(base: base, key: key))
        defer { try? FileManager.default.removeItem(at: dir) }
        let plan = FlowBinary.run(["run", file, "--dry-run"], env: Self.environment)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("auth: ***"), "\(plan.stdout)")
        #expect(plan.stdout.contains("headers: ***"), "\(plan.stdout)")
        #expect(Self.leaks(plan.stdout + plan.stderr, key: key) == [], "\(plan.stdout)")

        let validate = FlowBinary.run(["validate", file], env: Self.environment)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(Self.leaks(validate.stdout + validate.stderr, key: key) == [])

        let graph = FlowBinary.run(["graph", file], env: Self.environment)
        #expect(graph.status == 0, "\(graph.stderr)")
        #expect(graph.stdout.contains("bearer"))
        #expect(Self.leaks(graph.stdout + graph.stderr, key: key) == [])
    }
}
