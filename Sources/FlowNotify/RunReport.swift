import FlowCore
import FlowJSON

/// A finished run as notifications see it: the `${...}` scope of their templates and the default
/// texts built from it.
public struct RunReport: Sendable {
    public let result: RunResult
    /// The event that triggered the notifications.
    public let event: NotifyRule.Event
    /// `run` in templates: `{id, workflow, status, duration, duration_text, error, started_at, finished_at}`.
    public let run: JSON
    /// `nodes` in templates: `{<id>: {type, status, records_in, records_out, attempts, duration, error, metrics}}`.
    public let nodes: JSON

    public init(result: RunResult) {
        self.result = result
        switch result.status {
        case .succeeded: event = .success
        case .cancelled: event = .cancelled
        case .failed, .running: event = .failure
        }
        run = [
            "id": .string(result.runID),
            "workflow": .string(result.workflow),
            "status": .string(result.status.rawValue),
            "event": .string(event.rawValue),
            "duration": .double((result.duration * 1000).rounded() / 1000),
            "duration_text": .string(Self.durationText(result.duration)),
            "error": result.error.map(JSON.string) ?? .null,
            "started_at": .string(WallClock.iso8601(result.startedAt)),
            "finished_at": .string(WallClock.iso8601(result.finishedAt)),
        ]
        var nodes = JSONObject(minimumCapacity: result.nodes.count)
        for n in result.nodes {
            var metrics = JSONObject()
            for (k, v) in n.metrics.sorted(by: { $0.key < $1.key }) { metrics[k] = .int(v) }
            nodes[n.id] = [
                "type": .string(n.type),
                "status": .string(n.status.rawValue),
                "records_in": .int(n.recordsIn),
                "records_out": .int(n.recordsOut),
                "attempts": .int(n.attempts),
                "duration": n.duration.map { .double(($0 * 1000).rounded() / 1000) } ?? .null,
                "error": n.error.map(JSON.string) ?? .null,
                "metrics": .object(metrics),
            ]
        }
        self.nodes = .object(nodes)
    }

    /// The template input: the plan's `{params, env, secrets}` with this run's `run` and `nodes`.
    public func scope(_ base: RunScope) -> (object: JSON, bindings: ExpressionBindings) {
        var object = base.object.objectValue ?? JSONObject()
        object["run"] = run
        object["nodes"] = nodes
        var bindings = base.bindings
        bindings.values["run"] = run
        bindings.values["nodes"] = nodes
        return (.object(object), bindings)
    }

    /// What is sent when a rule does not say otherwise.
    public var defaults: NotificationMessage {
        NotificationMessage(subject: subject, text: text, html: html, slackBlocks: slackBlocks, webhookBody: result.summaryJSON)
    }

    /// `[flow] products failed`.
    public var subject: String { "[flow] \(result.workflow) \(result.status.rawValue)" }

    /// The plain-text summary: headline, run facts, a node table, the first error, where to look next.
    public var text: String {
        var out = "Workflow \(result.workflow) \(result.status.rawValue) in \(Self.durationText(result.duration)).\n\n"
        out += "run       \(result.runID)\n"
        out += "started   \(WallClock.iso8601(result.startedAt))\n"
        out += "finished  \(WallClock.iso8601(result.finishedAt))\n\n"
        var rows = [["node", "type", "status", "in", "out"]]
        for n in result.nodes {
            rows.append([n.id, n.type, n.status.rawValue, TextFormat.count(n.recordsIn), TextFormat.count(n.recordsOut)])
        }
        out += TextFormat.table(rows)
        if let error = result.error, result.status != .succeeded {
            out += "\nerror: \(error)\n"
        }
        out += "\nMore: flow runs show \(result.runID)\n"
        return out
    }

    /// The same summary as HTML, the alternative part of the default email.
    public var html: String {
        func e(_ text: String) -> String { HTMLText.escape(text) }
        let color: String
        switch result.status {
        case .succeeded: color = "#1a7f37"
        case .cancelled: color = "#9a6700"
        case .failed, .running: color = "#cf222e"
        }
        var out = "<!DOCTYPE html>\n<html><body style=\"font-family: sans-serif; font-size: 14px\">\n"
        out += "<h2 style=\"color: \(color)\">\(e(result.workflow)) \(e(result.status.rawValue))</h2>\n"
        out += "<p>Run <code>\(e(result.runID))</code> finished in \(e(Self.durationText(result.duration))) "
        out += "(\(e(WallClock.iso8601(result.startedAt))) to \(e(WallClock.iso8601(result.finishedAt)))).</p>\n"
        if let error = result.error, result.status != .succeeded {
            out += "<p><b>Error</b></p>\n<pre style=\"background: #f6f8fa; padding: 8px\">\(e(error))</pre>\n"
        }
        out += "<table cellpadding=\"4\" style=\"border-collapse: collapse\">\n"
        out += "<tr><th align=\"left\">node</th><th align=\"left\">type</th><th align=\"left\">status</th>"
        out += "<th align=\"right\">in</th><th align=\"right\">out</th></tr>\n"
        for n in result.nodes {
            out += "<tr><td><code>\(e(n.id))</code></td><td>\(e(n.type))</td><td>\(e(n.status.rawValue))</td>"
            out += "<td align=\"right\">\(TextFormat.count(n.recordsIn))</td><td align=\"right\">\(TextFormat.count(n.recordsOut))</td></tr>\n"
        }
        out += "</table>\n<p>More: <code>flow runs show \(e(result.runID))</code></p>\n</body></html>\n"
        return out
    }

    /// Slack blocks: header, facts, per-node lines, the error, a context line.
    var slackBlocks: [JSON] {
        var blocks: [JSON] = [SlackText.header("\(Self.emoji(result.status)) \(result.workflow) \(result.status.rawValue)")]
        blocks.append([
            "type": "section",
            "fields": [
                SlackText.mrkdwn("*Status*\n\(SlackText.escape(result.status.rawValue))"),
                SlackText.mrkdwn("*Duration*\n\(Self.durationText(result.duration))"),
                SlackText.mrkdwn("*Run*\n`\(SlackText.escape(result.runID))`"),
                SlackText.mrkdwn("*Workflow*\n\(SlackText.escape(result.workflow))"),
            ],
        ])
        if !result.nodes.isEmpty {
            let lines = result.nodes.map { n in
                "\(Self.emoji(n.status)) `\(SlackText.escape(n.id))` \(SlackText.escape(n.type)): \(n.status.rawValue), "
                    + "in \(TextFormat.count(n.recordsIn)), out \(TextFormat.count(n.recordsOut))"
            }
            blocks.append(SlackText.section("*Nodes*\n" + lines.joined(separator: "\n")))
        }
        if let error = result.error, result.status != .succeeded {
            blocks.append(SlackText.section("*Error*\n```\(SlackText.escape(error))```"))
        }
        blocks.append([
            "type": "context",
            "elements": [SlackText.mrkdwn("`flow runs show \(SlackText.escape(result.runID))` · finished \(WallClock.iso8601(result.finishedAt))")],
        ])
        return blocks
    }

    static func emoji(_ status: RunStatus) -> String {
        switch status {
        case .succeeded: ":white_check_mark:"
        case .failed, .running: ":x:"
        case .cancelled: ":warning:"
        }
    }

    static func emoji(_ status: NodeStatus) -> String {
        switch status {
        case .succeeded: ":white_check_mark:"
        case .failed: ":x:"
        case .upstreamFailed, .cancelled: ":warning:"
        case .skipped, .pending, .running: ":heavy_minus_sign:"
        }
    }

    static func durationText(_ seconds: Double) -> String {
        DurationParser.format(.milliseconds(Int64((seconds * 1000).rounded())))
    }
}
