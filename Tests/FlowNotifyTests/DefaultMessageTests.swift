import FlowCore
import FlowJSON
import FlowNotify
import Testing

@Suite struct DefaultMessageTests {
    @Test func subjectNamesWorkflowAndStatus() {
        #expect(RunReport(result: Samples.failedRun).subject == "[flow] products failed")
        #expect(RunReport(result: Samples.succeededRun).subject == "[flow] products succeeded")
    }

    @Test func failureTextHasTheFactsNeededToAct() {
        let text = RunReport(result: Samples.failedRun).text
        #expect(text.hasPrefix("Workflow products failed in 2.50s."))
        #expect(text.contains("run       20261121-061218-abc123"))
        #expect(text.contains("fetch  webapi       failed           0   120"))
        #expect(text.contains("store  jdbc_output  upstream_failed  0   0"))
        #expect(text.contains("error: node `fetch`: HTTP 503 from <api> after 3 attempts"))
        #expect(text.contains("More: flow runs show 20261121-061218-abc123"))
    }

    @Test func successTextHasNoErrorLine() {
        let text = RunReport(result: Samples.succeededRun).text
        #expect(text.hasPrefix("Workflow products succeeded in 1.00s."))
        #expect(text.contains("1,234"))
        #expect(!text.contains("error:"))
    }

    @Test func htmlAlternativeIsEscaped() {
        let html = RunReport(result: Samples.failedRun).html
        #expect(html.contains("<h2 style=\"color: #cf222e\">products failed</h2>"))
        #expect(html.contains("HTTP 503 from &lt;api&gt; after 3 attempts"))
        #expect(html.contains("<td><code>store</code></td><td>jdbc_output</td><td>upstream_failed</td>"))
    }

    @Test func customBodyIsPlainText() throws {
        let message = RunReport(result: Samples.failedRun).defaults
        guard case .email(let email) = try NotifyChannel(
            name: "email", fields: ["smtp": "smtp://localhost", "from": "a@b.c", "to": "d@e.f", "body": "short"])
        else { return }
        #expect(Notifier.mailMessage(email, message: message).html == nil)
        #expect(Notifier.mailMessage(email, message: message).text == "short")
        var withDefault = email
        withDefault.body = nil
        #expect(Notifier.mailMessage(withDefault, message: message).html != nil)
    }

    @Test func webhookBodyIsTheRunSummary() {
        let body = RunReport(result: Samples.failedRun).defaults.webhookBody
        #expect(body == Samples.failedRun.summaryJSON)
        #expect(body["event"] == "run_finished")
        #expect(body["status"] == "failed")
        #expect(body["nodes"]?[0]?["records_out"] == 120)
        #expect(body["error"] == "node `fetch`: HTTP 503 from <api> after 3 attempts")
    }

    @Test func eventFollowsTheRunStatus() {
        #expect(RunReport(result: Samples.failedRun).event == .failure)
        #expect(RunReport(result: Samples.succeededRun).event == .success)
        var cancelled = Samples.failedRun
        cancelled.status = .cancelled
        #expect(RunReport(result: cancelled).event == .cancelled)
    }
}
