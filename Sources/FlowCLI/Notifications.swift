import FlowCore
import FlowJSON
import FlowRunStore

/// Sends the workflow-level `notify:` rules that match a run's outcome.
struct Notifications {
    let plan: ExecutionPlan
    let reporter: RunReporter
    let store: RunStore?

    func send(for result: RunResult) async {
        let event: NotifyRule.Event
        switch result.status {
        case .succeeded: event = .success
        case .failed, .running: event = .failure
        case .cancelled: event = .cancelled
        }
        for (i, notification) in plan.notify.enumerated() where notification.rule.events.contains(event) {
            let message = "`\(notification.rule.channel)` notifications are not available in this build"
            reporter.emit(level: .warning, event: "notification_failed", message: message)
            try? await store?.recordNotification(runID: result.runID, position: i, channel: notification.rule.channel,
                                                  status: "failed", attempts: 0, error: message)
        }
    }
}
