import FlowTestSupport
import Foundation
import Testing

/// `notify:` rules and the `notify` node, end to end: the built `flow` binary against a real SMTP server
/// (aiosmtpd) and a real HTTP receiver, both on 127.0.0.1.
@Suite struct NotifyCLITests {
    /// A workflow that fails (its input file does not exist) and one that succeeds, with `notify` appended.
    static func failing(_ name: String, notify: String) -> String {
        "name: \(name)\nnodes:\n  load:\n    type: file_input\n    path: missing-input.json\n" + notify
    }

    static func succeeding(_ name: String, notify: String) -> String {
        "name: \(name)\nnodes:\n  rows:\n    type: inline\n    records: [{ id: 1 }, { id: 2 }, { id: 3 }]\n" + notify
    }

    /// A temporary directory with the workflow in it; runs are recorded in its state.db.
    struct Workspace {
        let directory: String
        let workflow: String
        var state: String { directory + "/state.db" }

        init(_ yaml: String) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-notify-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            workflow = directory + "/workflow.yaml"
            try yaml.write(toFile: workflow, atomically: true, encoding: .utf8)
        }

        func run(_ extra: [String] = [], env: [String: String] = [:]) async throws -> FlowBinary.Output {
            try await flow(["run", workflow, "--state", state] + extra, env: env)
        }

        func show(_ runID: String) async throws -> FlowBinary.Output {
            try await flow(["runs", "show", runID, "--state", state])
        }

        /// Every byte of the state database (and its WAL), as text.
        func stateDump() -> String {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            return names.filter { $0.hasPrefix("state.db") }.map { name in
                String(decoding: FileManager.default.contents(atPath: directory + "/" + name) ?? Data(), as: UTF8.self)
            }.joined(separator: "\n")
        }
    }

    /// Runs the binary without blocking the cooperative pool.
    static func flow(_ args: [String], env: [String: String] = [:]) async throws -> FlowBinary.Output {
        try await offThePool { FlowBinary.run(args, env: env) }
    }

    /// The run id from the summary line `run <id> <status> in <time>`.
    static func runID(_ stdout: String) -> String? {
        stdout.split(separator: "\n").first { $0.hasPrefix("run ") }?.split(separator: " ").dropFirst().first.map(String.init)
    }

    static func expectNoSecrets(_ texts: [String], _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in secrets {
            for text in texts where text.contains(secret) {
                Issue.record("secret `\(secret)` appears in output:\n\(text)", sourceLocation: sourceLocation)
            }
        }
    }

    // MARK: email

    @Test func failureEmailReachesTheSMTPServer() async throws {
        let smtp = try await Fixture.smtp()
        let recipient = hookKey("ops") + "@example.com"
        let password = Fixture.smtpPassword
        let name = "orders_" + hookKey("mail").replacingOccurrences(of: "-", with: "_")
        let space = try Workspace(Self.failing(name, notify: """
            notify:
              - on: [failure]
                email:
                  smtp: smtp://127.0.0.1:\(smtp.port)
                  username: flow
                  password: ${secrets.SMTP_PASSWORD}
                  from: Flow <flow@example.com>
                  to: [\(recipient)]
                  cc: lead@example.com
              - on: [success]
                email:
                  smtp: smtp://127.0.0.1:\(smtp.port)
                  from: flow@example.com
                  to: [success-\(recipient)]
            """))
        let run = try await space.run(env: ["SMTP_PASSWORD": password])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("email notification (rule 1, on failure) sent after 1 attempt"), "\(run.stderr)")

        let mail = try #require(await smtp.mails(to: recipient).first, "no mail arrived; stderr:\n\(run.stderr)")
        #expect(mail["rcptTos"] as? [String] == [recipient, "lead@example.com"])
        #expect(mail["mailFrom"] as? String == "flow@example.com")
        #expect(mail["login"] as? String == "flow")
        let data = mail["data"] as? String ?? ""
        #expect(data.contains("Subject: [flow] \(name) failed"))
        #expect(data.contains("To: \(recipient)"))
        // The node's error, as the run reports it (quoted-printable keeps it readable here).
        #expect(data.contains("missing-input.json"))
        #expect(data.contains("load"))
        // `on: [success]` did not fire.
        #expect(await smtp.mails(to: "success-" + recipient, timeout: 0.5).isEmpty)

        let runID = try #require(Self.runID(run.stdout))
        let show = try await space.show(runID)
        #expect(show.stdout.contains("email (rule 1): sent, 1 attempt"), "\(show.stdout)")
        Self.expectNoSecrets([run.stdout, run.stderr, show.stdout, show.stderr, space.stateDump()], [password])
    }

    @Test func unreachableSMTPLeavesTheRunAlone() async throws {
        let port = unusedPort()
        let rule = """
            notify:
              - on: always
                email:
                  smtp: smtp://127.0.0.1:\(port)
                  username: flow
                  password: ${secrets.SMTP_PASSWORD}
                  from: flow@example.com
                  to: ops@example.com
            """
        let password = "pw-" + hookKey("closed")
        let failing = try Workspace(Self.failing("closed_smtp_fail", notify: rule))
        let failed = try await failing.run(env: ["SMTP_PASSWORD": password])
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("email notification (rule 1, on failure) failed after 3 attempts"), "\(failed.stderr)")
        // The run's own error is still the one reported.
        #expect(failed.stdout.contains("missing-input.json"), "\(failed.stdout)")
        let failedID = try #require(Self.runID(failed.stdout))
        let show = try await failing.show(failedID)
        #expect(show.stdout.contains("status    failed"))
        #expect(show.stdout.contains("email (rule 1): failed, 3 attempts: SMTP delivery failed: could not connect"), "\(show.stdout)")

        let succeeding = try Workspace(Self.succeeding("closed_smtp_ok", notify: rule))
        let ok = try await succeeding.run(["--log-format", "json"], env: ["SMTP_PASSWORD": password])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stderr.contains("\"event\":\"notification_failed\""), "\(ok.stderr)")
        let okID = try #require(Self.runJSON(ok.stdout)?["run_id"] as? String)
        #expect(Self.runJSON(ok.stdout)?["status"] as? String == "succeeded")
        let okShow = try await succeeding.show(okID)
        #expect(okShow.stdout.contains("status    succeeded"))
        #expect(okShow.stdout.contains("email (rule 1): failed, 3 attempts"), "\(okShow.stdout)")
        Self.expectNoSecrets([failed.stdout, failed.stderr, show.stdout, ok.stdout, ok.stderr, okShow.stdout,
                              failing.stateDump(), succeeding.stateDump()],
                             [password, "127.0.0.1:\(port)"])
    }

    static func runJSON(_ stdout: String) -> [String: Any]? {
        guard let line = stdout.split(separator: "\n").last else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }

    // MARK: slack

    /// Runs a workflow with Slack rules on success and on failure, each to its own receiver key.
    func slackRun(succeed: Bool) async throws -> (run: FlowBinary.Output, http: Fixture, success: String, failure: String, token: String, space: Workspace) {
        let http = try await Fixture.http()
        let success = hookKey("slack-ok")
        let failure = hookKey("slack-fail")
        let token = "T0KEN" + UUID().uuidString.prefix(8)
        let notify = """
            notify:
              - on: [success]
                slack:
                  webhook: ${secrets.SLACK_OK}
                  channel: "#data"
              - on: [failure]
                slack:
                  webhook: ${secrets.SLACK_FAIL}
                  username: flow
            """
        let name = succeed ? "slack_ok" : "slack_fail"
        let space = try Workspace(succeed ? Self.succeeding(name, notify: notify) : Self.failing(name, notify: notify))
        let run = try await space.run(env: ["SLACK_OK": http.url("/hook/\(success)/\(token)"), "SLACK_FAIL": http.url("/hook/\(failure)/\(token)")])
        return (run, http, success, failure, token, space)
    }

    static func payload(_ request: [String: Any]) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data((request["body"] as? String ?? "").utf8)) as? [String: Any])
    }

    @Test func slackPayloadOnSuccess() async throws {
        let (run, http, success, failure, token, space) = try await slackRun(succeed: true)
        #expect(run.status == 0, "\(run.stderr)")
        let (calls, requests) = try await http.hooks(success)
        #expect(calls == 1)
        #expect(try await http.hooks(failure).calls == 0)
        let payload = try Self.payload(try #require(requests.first))
        #expect((payload["text"] as? String)?.hasPrefix("Workflow slack_ok succeeded") == true)
        #expect(payload["channel"] as? String == "#data")
        let blocks = try #require(payload["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String ?? "" } == ["header", "section", "section", "context"])
        #expect((blocks[0]["text"] as? [String: Any])?["text"] as? String == ":white_check_mark: slack_ok succeeded")
        let fields = try #require(blocks[1]["fields"] as? [[String: Any]])
        #expect(fields.first?["text"] as? String == "*Status*\nsucceeded")
        let nodes = (blocks[2]["text"] as? [String: Any])?["text"] as? String ?? ""
        #expect(nodes.contains("`rows` inline: succeeded, in 0, out 3"))
        Self.expectNoSecrets([run.stdout, run.stderr, space.stateDump()], [token])
    }

    @Test func slackPayloadOnFailure() async throws {
        let (run, http, success, failure, token, space) = try await slackRun(succeed: false)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(try await http.hooks(success).calls == 0)
        let (calls, requests) = try await http.hooks(failure)
        #expect(calls == 1)
        let payload = try Self.payload(try #require(requests.first))
        #expect(payload["username"] as? String == "flow")
        #expect(payload["channel"] == nil)
        let blocks = try #require(payload["blocks"] as? [[String: Any]])
        #expect(blocks.map { $0["type"] as? String ?? "" } == ["header", "section", "section", "section", "context"])
        #expect((blocks[0]["text"] as? [String: Any])?["text"] as? String == ":x: slack_fail failed")
        let error = (blocks[3]["text"] as? [String: Any])?["text"] as? String ?? ""
        #expect(error.hasPrefix("*Error*\n```"))
        #expect(error.contains("missing-input.json"))
        let runID = try #require(Self.runID(run.stdout))
        let context = (blocks[4]["elements"] as? [[String: Any]])?.first?["text"] as? String ?? ""
        #expect(context.contains("flow runs show \(runID)"))
        let show = try await space.show(runID)
        #expect(show.stdout.contains("slack (rule 2): sent, 1 attempt"), "\(show.stdout)")
        Self.expectNoSecrets([run.stdout, run.stderr, show.stdout, space.stateDump()], [token])
    }

    @Test func cancelledRunNotifiesOnCancelled() async throws {
        let http = try await Fixture.http()
        let cancelledKey = hookKey("cancelled")
        let failureKey = hookKey("cancel-failure")
        let space = try Workspace("""
            name: interrupted
            nodes:
              wait: { type: sleep, duration: 30s }
            notify:
              - on: [cancelled]
                webhook: { url: \(http.url("/hook/\(cancelledKey)")) }
              - on: [failure]
                webhook: { url: \(http.url("/hook/\(failureKey)")) }
            """)
        // Interrupt the run once it has started, as Ctrl-C would.
        let status = try await offThePool { () -> Int32 in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: FlowBinary.path)
            process.arguments = ["run", space.workflow, "--state", space.state]
            let log = space.directory + "/stderr.log"
            FileManager.default.createFile(atPath: log, contents: nil)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            try process.run()
            // The signal handler is installed as the run starts: wait for the node to start, and a little more.
            let deadline = Date().addingTimeInterval(30)
            while Date() < deadline, !String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self).contains("wait: started") {
                Thread.sleep(forTimeInterval: 0.05)
            }
            Thread.sleep(forTimeInterval: 0.3)
            process.interrupt()
            process.waitUntilExit()
            return process.terminationStatus
        }
        #expect(status == 130)
        let (calls, requests) = try await http.hooks(cancelledKey)
        #expect(calls == 1)
        let body = try Self.payload(try #require(requests.first))
        #expect(body["status"] as? String == "cancelled")
        #expect(body["workflow"] as? String == "interrupted")
        #expect(try await http.hooks(failureKey).calls == 0)
    }

    // MARK: webhook, templates, the notify node

    @Test func webhookTemplatesSeeTheRun() async throws {
        let http = try await Fixture.http()
        let key = hookKey("webhook")
        let space = try Workspace(Self.succeeding("hooked", notify: """
            params:
              team: { type: string, default: data }
            notify:
              - on: [success]
                webhook:
                  url: \(http.url("/hook/\(key)"))
                  headers: { X-Team: "${params.team}" }
                  body:
                    text: "${run.workflow} ${run.status}: ${nodes.rows.records_out} rows (run ${run.id})"
                    rows: ${nodes.rows.records_out}
            """))
        let run = try await space.run()
        #expect(run.status == 0, "\(run.stderr)")
        let request = try #require(try await http.hooks(key).requests.first)
        let body = try Self.payload(request)
        let runID = try #require(Self.runID(run.stdout))
        #expect(body["text"] as? String == "hooked succeeded: 3 rows (run \(runID))")
        #expect(body["rows"] as? Int == 3)
        #expect((request["headers"] as? [[String]] ?? []).contains(["X-Team", "data"]))
    }

    @Test func notifyNodeSendsAfterItsInput() async throws {
        let http = try await Fixture.http()
        let key = hookKey("node")
        let token = "T0KEN" + UUID().uuidString.prefix(8)
        let space = try Workspace(Self.succeeding("node_notify", notify: """
              tell:
                type: notify
                input: rows
                webhook:
                  url: ${secrets.HOOK}
                  body: { text: "${records} rows in run ${run.id} of ${run.workflow}" }
              ping:
                type: notify
                after: tell
                slack:
                  webhook: ${secrets.HOOK}
            """))
        let run = try await space.run(env: ["HOOK": http.url("/hook/\(key)/\(token)")])
        #expect(run.status == 0, "\(run.stderr)\n\(run.stdout)")
        let requests = try await http.hooks(key).requests
        #expect(requests.count == 2)
        let runID = try #require(Self.runID(run.stdout))
        let bodies = try requests.map(Self.payload)
        #expect(bodies.contains { $0["text"] as? String == "3 rows in run \(runID) of node_notify" })
        #expect(bodies.contains { ($0["text"] as? String)?.contains("node `ping` reached") == true && $0["blocks"] != nil })
        Self.expectNoSecrets([run.stdout, run.stderr, space.stateDump()], [token])
    }

    @Test func failingNotifyNodeFailsTheNode() async throws {
        let space = try Workspace(Self.succeeding("node_fail", notify: """
              tell:
                type: notify
                input: rows
                email: { smtp: "smtp://127.0.0.1:\(unusedPort())", from: flow@example.com, to: ops@example.com }
            """))
        let run = try await space.run()
        #expect(run.status == 1)
        #expect(run.stdout.contains("email notification failed after 3 attempts"), "\(run.stdout)")
    }

    // MARK: validate

    @Test func validateChecksChannelsWithoutSending() async throws {
        let http = try await Fixture.http()
        let key = hookKey("validate")
        let space = try Workspace(Self.succeeding("checked", notify: """
              tell:
                type: notify
                webhook: { url: "ftp://example.com/x" }
            notify:
              - on: always
                webhook: { url: \(http.url("/hook/\(key)")) }
              - on: [failure]
                email:
                  smtp: https://mail.example.com
                  from: flow
                  to: [ops@example.com]
                  subject: "${nodes.rowz.records_out} rows"
            """))
        let result = try await Self.flow(["validate", space.workflow])
        #expect(result.status == 2)
        #expect(result.stderr.contains("workflow.yaml:8:22: error: node `tell` (notify): `url` must be a `https://` or `http://` URL, found `ftp://`"), "\(result.stderr)")
        #expect(result.stderr.contains("workflow.yaml:14:13: error: `smtp` must be a `smtp://` or `smtps://` URL, found `https://`"), "\(result.stderr)")
        #expect(result.stderr.contains("workflow.yaml:15:13: error: `from` is not an email address: `flow`"), "\(result.stderr)")
        #expect(result.stderr.contains("there is no node `rowz`"), "\(result.stderr)")
        #expect(try await http.hooks(key).calls == 0)
    }
}
