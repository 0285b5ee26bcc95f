import FlowCore
import FlowJSON

/// Prints an execution plan: parameters, then nodes stage by stage with resolved fields.
/// Secret fields print as `***` and every other string goes through the run's masker.
enum PlanPrinter {
    static func render(_ plan: ExecutionPlan) -> String {
        let workflow = plan.workflow
        var out = "workflow \(workflow.name) (\(workflow.file))\n"
        if let d = workflow.description { out += "  \(d)\n" }
        if !workflow.params.isEmpty {
            out += "params:\n"
            for param in workflow.params {
                let value = plan.scope.params[param.name] ?? .null
                let shown = param.secret ? "***" : plan.masker.mask(value.serialized())
                out += "  \(param.name) = \(shown)\n"
            }
        }
        let pipelines = plan.pipelines.count
        out += "plan: \(plan.nodes.count) node\(plan.nodes.count == 1 ? "" : "s") in \(plan.stages.count) stage\(plan.stages.count == 1 ? "" : "s"), \(pipelines) pipeline\(pipelines == 1 ? "" : "s")"
        out += plan.concurrency.map { ", at most \($0) running at once" } ?? ""
        out += "\n"
        for (i, stage) in plan.stages.enumerated() {
            out += "stage \(i + 1):\n"
            for id in stage {
                guard let planned = plan.node(id) else { continue }
                let node = planned.node
                var line = "  \(id) (\(node.type))"
                if !node.inputs.isEmpty { line += " <- " + node.inputs.map(\.value).joined(separator: ", ") }
                if !node.after.isEmpty { line += " after " + node.after.map(\.value).joined(separator: ", ") }
                out += line + "\n"
                if let w = node.when { out += "      when: \(plan.masker.mask(w.value))\n" }
                for field in node.spec.fields where planned.config.isSet(field.name) {
                    let value = planned.config.value(field.name) ?? .null
                    let shown = field.secret ? "***" : plan.masker.mask(value.serialized())
                    out += "      \(field.name): \(shown)\n"
                }
                if node.retry.attempts > 1 {
                    out += "      retry: \(node.retry.attempts) attempts, \(node.retry.backoff.rawValue) from \(DurationParser.format(node.retry.initial))\n"
                }
                if let t = node.timeout { out += "      timeout: \(DurationParser.format(t))\n" }
                if node.onError == .continue { out += "      on_error: continue\n" }
            }
        }
        if !plan.notify.isEmpty {
            out += "notify:\n"
            for n in plan.notify {
                let events = NotifyRule.Event.allCases.filter { n.rule.events.contains($0) }.map(\.rawValue)
                out += "  on [\(events.joined(separator: ", "))]: \(n.rule.channel)\n"
            }
        }
        return out
    }
}
