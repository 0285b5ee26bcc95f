import FlowCore
import FlowJSON
import FlowNotify
import Testing

@Suite struct TemplateTests {
    static let yaml = """
        name: products
        params:
          team: { type: string, default: data }
        nodes:
          fetch: { type: t_noop }
          store: { type: t_noop, input: fetch }
        notify:
          - on: [failure]
            webhook:
              url: ${secrets.HOOK}
              headers: { X-Team: "${params.team}" }
              body:
                summary: "${run.workflow} ${run.status} after ${run.duration_text} (run ${run.id})"
                fetched: ${nodes.fetch.records_out}
                fetch_status: ${nodes.fetch.status}
                error: ${run.error}
                duration: ${run.duration}
        """

    @Test func fieldsSeeRunNodesAndParams() throws {
        let plan = try Samples.plan(Self.yaml, environment: ["HOOK": "http://127.0.0.1:9/hook/x"])
        let report = RunReport(result: Samples.failedRun)
        let (scope, bindings) = report.scope(plan.scope)
        let fields = try plan.notify[0].fields.evaluate(scope, bindings: bindings)
        #expect(fields["url"] == "http://127.0.0.1:9/hook/x")
        #expect(fields["headers"]?["X-Team"] == "data")
        #expect(fields["body"]?["summary"] == "products failed after 2.50s (run 20261121-061218-abc123)")
        #expect(fields["body"]?["fetched"] == 120)
        #expect(fields["body"]?["fetch_status"] == "failed")
        #expect(fields["body"]?["error"] == "node `fetch`: HTTP 503 from <api> after 3 attempts")
        #expect(fields["body"]?["duration"] == 2.5)
    }

    @Test func rulesMatchTheRunOutcome() throws {
        let plan = try Samples.plan(Self.yaml, environment: ["HOOK": "http://127.0.0.1:9/hook/x"])
        let notifications = RunNotifications(plan: plan, notifier: Notifier(masker: plan.masker))
        #expect(notifications.matching(Samples.failedRun).map(\.position) == [0])
        #expect(notifications.matching(Samples.succeededRun).isEmpty)
    }

    @Test func alwaysAndCancelledMatch() throws {
        let plan = try Samples.plan("""
            nodes:
              a: { type: t_noop }
            notify:
              - on: always
                webhook: { url: "http://127.0.0.1:9/a" }
              - on: [cancelled]
                webhook: { url: "http://127.0.0.1:9/b" }
              - on: [success, failure]
                webhook: { url: "http://127.0.0.1:9/c" }
            """)
        let notifications = RunNotifications(plan: plan, notifier: Notifier(masker: plan.masker))
        var cancelled = Samples.failedRun
        cancelled.status = .cancelled
        #expect(notifications.matching(cancelled).map(\.position) == [0, 1])
        #expect(notifications.matching(Samples.failedRun).map(\.position) == [0, 2])
        #expect(notifications.matching(Samples.succeededRun).map(\.position) == [0, 2])
    }

    @Test func badResolvedFieldsFailWithoutSending() async throws {
        let plan = try Samples.plan("""
            params:
              hook: { type: string, default: "ftp://files.example.com/T0KEN99" }
            nodes:
              a: { type: t_noop }
            notify:
              - on: always
                slack: { webhook: "${params.hook}" }
            """)
        let notifications = RunNotifications(plan: plan, notifier: Notifier(masker: plan.masker))
        let sent = await notifications.send(for: Samples.failedRun)
        #expect(sent.count == 1)
        #expect(sent[0].outcome.sent == false)
        #expect(sent[0].outcome.attempts == 0)
        #expect(sent[0].outcome.error == "`slack` notification: `webhook` must be a `https://` or `http://` URL, found `ftp://` (write it like `https://hooks.slack.com/services/T000/B000/XXXX`)")
        // Resolved only now, the value is a secret from here on.
        #expect(plan.masker.mask("ftp://files.example.com/T0KEN99") == "***")
    }

    @Test func validationReportsChannelProblemsAtTheField() throws {
        let yaml = """
            name: products
            nodes:
              fetch: { type: t_noop }
            notify:
              - on: [failure]
                email:
                  smtp: http://mail.example.com
                  from: flow@example.com
                  to: [ops@example.com, nobody]
                  body: "${nodes.fetc.records_out} records"
            """
        let (workflow, loadDiagnostics) = WorkflowLoader(registry: NodeRegistry([NoopNode.self]), language: PathExpressionLanguage())
            .load(text: yaml, file: "test.yaml")
        #expect(!loadDiagnostics.hasErrors)
        let diagnostics = NotifyValidation.diagnostics(for: try #require(workflow))
        let lines = diagnostics.items.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0): \($0.message)" }
        #expect(lines == [
            "7:13: `smtp` must be a `smtp://` or `smtps://` URL, found `http://` in `email` notification",
            "9:29: `nobody` in `to` is not an email address in `email` notification",
            "10:14: `nodes.fetc` in `email` notification: there is no node `fetc`",
        ])
        #expect(diagnostics.items.last?.hint?.contains("fetch") == true)
    }
}
