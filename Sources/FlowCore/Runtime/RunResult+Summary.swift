import FlowJSON

extension RunResult {
    /// The run as one JSON object: what `flow run --log-format json` prints last and what a webhook
    /// notification sends by default. Errors are already masked in a `RunResult`.
    public var summaryJSON: JSON {
        var nodeList: [JSON] = []
        for n in nodes {
            var o: JSONObject = ["id": .string(n.id), "type": .string(n.type), "status": .string(n.status.rawValue),
                                 "records_in": .int(n.recordsIn), "records_out": .int(n.recordsOut), "attempts": .int(n.attempts)]
            if let d = n.duration { o["duration_s"] = .double((d * 1000).rounded() / 1000) }
            if !n.metrics.isEmpty {
                var m = JSONObject()
                for (k, v) in n.metrics.sorted(by: { $0.key < $1.key }) { m[k] = .int(v) }
                o["metrics"] = .object(m)
            }
            if let e = n.error { o["error"] = .string(e) }
            nodeList.append(.object(o))
        }
        var o: JSONObject = ["event": "run_finished", "run_id": .string(runID), "workflow": .string(workflow),
                             "status": .string(status.rawValue),
                             "duration_s": .double((duration * 1000).rounded() / 1000), "nodes": .array(nodeList)]
        if let e = error { o["error"] = .string(e) }
        return .object(o)
    }
}
