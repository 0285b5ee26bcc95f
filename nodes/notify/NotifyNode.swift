import FlowCore
import FlowJSON
import FlowNotify

/// Sends a Slack message, an email or a webhook request from inside the graph, e.g. once a given
/// node has finished (`after:`) or once its input has ended (`input:`, with the record count).
///
/// Unlike workflow-level `notify:` rules, a notification that still fails after its retries fails
/// this node (so `on_error` and the node's `retry` apply).
struct NotifyNode: Node {
    static let channelNames = NotifyChannels.all.map(\.name)

    static let spec = NodeSpec(
        type: "notify",
        summary: "Send a Slack message, an email or a webhook request from inside the graph (one of `slack`, `email`, `webhook`).",
        inputs: .optional,
        producesRecords: false,
        fields: [
            FieldSpec("slack", .object(NotifyChannels.slack), perRecord: true,
                      "Slack incoming webhook: `{webhook, channel?, username?, text?}`. Templates see `params`, `env`, `secrets`, `run.id`, `run.workflow` and `records` (the number of input records)."),
            FieldSpec("email", .object(NotifyChannels.email), perRecord: true,
                      "Email through SMTP: `{smtp, username?, password?, from, to, cc?, subject?, body?}`. Same templates as `slack`."),
            FieldSpec("webhook", .object(NotifyChannels.webhook), perRecord: true,
                      "JSON request to any endpoint: `{url, method?, headers?, body?}`; the body defaults to `{event, workflow, run_id, node, records}`."),
        ],
        example: """
            tell_ops:
              type: notify
              input: store
              slack:
                webhook: ${secrets.SLACK_WEBHOOK}
                text: "products: ${records} rows loaded (run ${run.id})"
            """)

    let channel: String
    let fields: TemplateValue

    init(config: NodeConfig, context: NodeBuildContext) throws {
        let written = Self.channelNames.filter { config.isSet($0) }
        guard let first = written.first else {
            throw Diagnostic.error("node `\(config.nodeID)` (notify): no channel", at: config.location("type"),
                                   hint: "add one of " + Self.channelNames.map { "`\($0):`" }.joined(separator: ", "))
        }
        var diagnostics = Diagnostics()
        for extra in written.dropFirst() {
            diagnostics.append(config.error("a notify node has exactly one channel; `\(extra)` is a second one", field: extra,
                                            hint: "use one notify node per channel"))
        }
        let raw = config.value(first) ?? .null
        for problem in NotifyChannelCheck.problems(channel: first, fields: raw) {
            diagnostics.append(.error("node `\(config.nodeID)` (notify): \(problem.message)",
                                      at: Self.location(config, first, problem.path), hint: problem.hint))
        }
        for (key, value) in raw.objectValue ?? [:] {
            guard case .string(let text) = value, Template.containsInterpolation(text) else { continue }
            if text.contains("nodes.") {
                diagnostics.append(config.error("`nodes` is only available in workflow-level `notify:` rules", field: first, key,
                                                hint: "a notify node sees params, env, secrets, run.id, run.workflow and records"))
            }
        }
        if diagnostics.hasErrors { throw diagnostics }
        channel = first
        fields = config.templateValue(first) ?? .literal(raw)
    }

    static func location(_ config: NodeConfig, _ field: String, _ path: [String]) -> SourceLocation {
        switch path.count {
        case 0: return config.location(field)
        case 1: return config.location(field, path[0])
        default: return config.location(field, path[0], path[1])
        }
    }

    func run(_ context: NodeContext) async throws {
        var records = 0
        if let input = context.input {
            for try await batch in input { records += batch.count }
        }
        guard case .object(var scope) = context.scope.object else { return }
        scope["records"] = .int(records)
        let bindings = context.scope.bindings(adding: ["records": .int(records)])
        let resolved: JSON
        do {
            resolved = try fields.evaluate(.object(scope), bindings: bindings)
        } catch {
            throw NodeError(nodeID: context.nodeID, message: context.masker.mask("cannot evaluate a template in `\(channel)`: \(error)"))
        }
        for name in NotifyChannel.secretFields(of: channel) {
            if case .string(let s)? = resolved[name] { context.masker.add(s) }
        }
        let notifyChannel: NotifyChannel
        do {
            notifyChannel = try NotifyChannel(name: channel, fields: resolved)
        } catch {
            throw NodeError(nodeID: context.nodeID, message: context.masker.mask(error.message))
        }
        let outcome = await Notifier(masker: context.masker).send(notifyChannel, message: defaultMessage(context, records: records))
        context.counters.set(outcome.attempts, for: "notify_attempts")
        guard outcome.sent else {
            throw NodeError(nodeID: context.nodeID,
                            message: "\(channel) notification failed after \(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s"): \(outcome.error ?? "unknown error")")
        }
        context.counters.set(1, for: "notifications_sent")
        context.logger.info("\(channel) notification sent")
    }

    /// What is sent when the channel's `text`/`subject`/`body` are not given.
    func defaultMessage(_ context: NodeContext, records: Int) -> NotificationMessage {
        let workflow = context.scope.run["workflow"]?.stringValue ?? ""
        let runID = context.scope.run["id"]?.stringValue ?? ""
        var text = "Workflow \(workflow), run \(runID): node `\(context.nodeID)` reached"
        text += context.input == nil ? ".\n" : " after \(records) record\(records == 1 ? "" : "s").\n"
        let body: JSON = ["event": "notify", "workflow": .string(workflow), "run_id": .string(runID),
                          "node": .string(context.nodeID), "records": context.input == nil ? .null : .int(records)]
        let blocks: [JSON] = [["type": "section", "text": ["type": "mrkdwn", "text": .string(text)]]]
        return NotificationMessage(subject: "[flow] \(workflow): \(context.nodeID)", text: text, slackBlocks: blocks, webhookBody: body)
    }
}
