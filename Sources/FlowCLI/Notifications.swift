import FlowCore
import FlowJSON
import FlowNotify
import FlowRunStore

/// Sends the workflow-level `notify:` rules that match a run's outcome, logs each outcome and records
/// it in the run store. A notification never changes the run's status or exit code.
struct Notifications {
    let plan: ExecutionPlan
    let reporter: RunReporter
    let store: RunStore?

    func send(for result: RunResult) async {
        let notifications = RunNotifications(plan: plan, notifier: Notifier(masker: plan.masker))
        let report = RunReport(result: result)
        for (position, notification) in notifications.matching(result) {
            let outcome = await notifications.send(notification, report: report)
            let rule = "rule \(position + 1)"
            let attempts = "\(outcome.attempts) attempt\(outcome.attempts == 1 ? "" : "s")"
            let fields: JSONObject = ["channel": .string(outcome.channel), "rule": .int(position + 1),
                                      "attempts": .int(outcome.attempts)]
            if outcome.sent {
                reporter.emit(level: .info, event: "notification_sent",
                              message: "\(outcome.channel) notification (\(rule), on \(report.event.rawValue)) sent after \(attempts)",
                              fields: fields)
            } else {
                var failure = fields
                failure["error"] = .string(outcome.error ?? "")
                reporter.emit(level: .warning, event: "notification_failed",
                              message: "\(outcome.channel) notification (\(rule), on \(report.event.rawValue)) failed after \(attempts): \(outcome.error ?? "unknown error")",
                              fields: failure)
            }
            do {
                try await store?.recordNotification(runID: result.runID, position: position, channel: outcome.channel,
                                                    status: outcome.status, attempts: outcome.attempts,
                                                    error: outcome.error.map { plan.masker.mask($0) })
            } catch {
                reporter.emit(level: .warning, event: "state_unavailable",
                              message: "cannot record the \(outcome.channel) notification: \(error)")
            }
        }
    }
}
