import FlowCore
import FlowJSON
import FlowNotify
import Testing

@Suite struct SlackPayloadTests {
    func payload(_ result: RunResult, text: String? = nil, channel: String? = nil, username: String? = nil) throws -> JSON {
        var fields: JSONObject = ["webhook": "https://hooks.slack.com/services/T0/B0/X"]
        if let text { fields["text"] = .string(text) }
        if let channel { fields["channel"] = .string(channel) }
        if let username { fields["username"] = .string(username) }
        guard case .slack(let slack) = try NotifyChannel(name: "slack", fields: .object(fields)) else {
            Issue.record("not a slack channel")
            return .null
        }
        return Notifier.slackPayload(slack, message: RunReport(result: result).defaults)
    }

    @Test func failurePayloadHasTextAndBlocks() throws {
        let p = try payload(Samples.failedRun)
        #expect(p["text"]?.stringValue?.hasPrefix("Workflow products failed") == true)
        let blocks = try #require(p["blocks"]?.arrayValue)
        #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["header", "section", "section", "section", "context"])
        #expect(blocks[0]["text"]?["type"] == "plain_text")
        #expect(blocks[0]["text"]?["text"] == ":x: products failed")
        let facts = try #require(blocks[1]["fields"]?.arrayValue)
        #expect(facts.count == 4)
        #expect(facts[0]["type"] == "mrkdwn")
        #expect(facts[0]["text"] == "*Status*\nfailed")
        #expect(facts[2]["text"] == "*Run*\n`20261121-061218-abc123`")
        let nodes = try #require(blocks[2]["text"]?["text"]?.stringValue)
        #expect(nodes.contains("`fetch` webapi: failed, in 0, out 120"))
        let error = try #require(blocks[3]["text"]?["text"]?.stringValue)
        // Slack's control characters are escaped.
        #expect(error == "*Error*\n```node `fetch`: HTTP 503 from &lt;api&gt; after 3 attempts```")
        #expect(blocks[4]["elements"]?[0]?["text"]?.stringValue?.contains("flow runs show 20261121-061218-abc123") == true)
        #expect(p["channel"] == nil)
        #expect(p["username"] == nil)
    }

    @Test func successPayloadHasNoErrorBlock() throws {
        let p = try payload(Samples.succeededRun)
        let blocks = try #require(p["blocks"]?.arrayValue)
        #expect(blocks.map { $0["type"]?.stringValue ?? "" } == ["header", "section", "section", "context"])
        #expect(blocks[0]["text"]?["text"] == ":white_check_mark: products succeeded")
    }

    @Test func customTextReplacesTheHeadlineAndKeepsTheDetails() throws {
        let p = try payload(Samples.failedRun, text: "products broke <again>", channel: "#data", username: "flow-bot")
        #expect(p["text"] == "products broke <again>")
        let blocks = try #require(p["blocks"]?.arrayValue)
        #expect(blocks[0]["type"] == "section")
        #expect(blocks[0]["text"]?["text"] == "products broke &lt;again&gt;")
        #expect(blocks.count == 5)
        #expect(p["channel"] == "#data")
        #expect(p["username"] == "flow-bot")
    }
}
