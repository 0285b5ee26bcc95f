import FlowCore
import FlowJSON

/// Sends the workflow-level `notify:` rules that match a finished run.
public struct RunNotifications: Sendable {
    /// One rule's result; `position` is the rule's index in `notify:`.
    public struct Sent: Sendable {
        public var position: Int
        public var outcome: NotificationOutcome
    }

    public let plan: ExecutionPlan
    public let notifier: Notifier

    public init(plan: ExecutionPlan, notifier: Notifier) {
        self.plan = plan
        self.notifier = notifier
    }

    /// The rules whose `on:` includes the run's outcome, with their positions.
    public func matching(_ result: RunResult) -> [(position: Int, notification: PlannedNotification)] {
        let event = RunReport(result: result).event
        return plan.notify.enumerated().filter { $0.element.rule.events.contains(event) }.map { ($0.offset, $0.element) }
    }

    /// Sends every matching rule, one after the other, in file order.
    public func send(for result: RunResult) async -> [Sent] {
        let report = RunReport(result: result)
        var sent: [Sent] = []
        for (position, notification) in matching(result) {
            sent.append(Sent(position: position, outcome: await send(notification, report: report)))
        }
        return sent
    }

    /// Evaluates one rule's templates against the run and sends it.
    public func send(_ notification: PlannedNotification, report: RunReport) async -> NotificationOutcome {
        let channelName = notification.rule.channel
        let (scope, bindings) = report.scope(plan.scope)
        let fields: JSON
        do {
            fields = try notification.fields.evaluate(scope, bindings: bindings)
        } catch {
            return NotificationOutcome(channel: channelName, sent: false, attempts: 0,
                                       error: notifier.masker.mask(NotifyError.template(channelName, error.description).message))
        }
        // Values resolved only now (`${params.x}` in a secret field) are hidden like the others.
        for name in notification.secretFields {
            if let value = fields[name], case .string(let s) = value { notifier.masker.add(s) }
        }
        let channel: NotifyChannel
        do {
            channel = try NotifyChannel(name: channelName, fields: fields)
        } catch {
            return NotificationOutcome(channel: channelName, sent: false, attempts: 0, error: notifier.masker.mask(error.message))
        }
        return await notifier.send(channel, message: report.defaults)
    }
}
