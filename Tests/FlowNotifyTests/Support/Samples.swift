import FlowCore
import FlowJSON
import FlowNotify

/// A source node that emits nothing, so that test workflows can be planned.
struct NoopNode: Node {
    static let spec = NodeSpec(type: "t_noop", summary: "Does nothing.", inputs: .optional, fields: [], example: "")
    init(config: NodeConfig, context: NodeBuildContext) throws {}
    func run(_ context: NodeContext) async throws {}
}

enum Samples {
    /// A failed run of `products`: `fetch` failed, `store` was not reached.
    static var failedRun: RunResult {
        RunResult(
            runID: "20261121-061218-abc123", workflow: "products", status: .failed, startedAt: 1_795_000_000,
            finishedAt: 1_795_000_002.5,
            nodes: [
                NodeResult(id: "fetch", type: "webapi", status: .failed, startedAt: 1_795_000_000, finishedAt: 1_795_000_002,
                           recordsIn: 0, recordsOut: 120, attempts: 3, error: "HTTP 503 from <api> after 3 attempts"),
                NodeResult(id: "store", type: "jdbc_output", status: .upstreamFailed),
            ],
            error: "node `fetch`: HTTP 503 from <api> after 3 attempts")
    }

    static var succeededRun: RunResult {
        RunResult(
            runID: "20261121-070000-def456", workflow: "products", status: .succeeded, startedAt: 1_795_000_000,
            finishedAt: 1_795_000_001,
            nodes: [
                NodeResult(id: "fetch", type: "webapi", status: .succeeded, startedAt: 1_795_000_000, finishedAt: 1_795_000_001,
                           recordsIn: 0, recordsOut: 1234, attempts: 1),
                NodeResult(id: "store", type: "jdbc_output", status: .succeeded, recordsIn: 1234, recordsOut: 0, attempts: 1,
                           metrics: ["rows_inserted": 1234]),
            ],
            error: nil)
    }

    /// Loads and plans `yaml` with the no-op node type.
    static func plan(_ yaml: String, environment: [String: String] = [:]) throws -> ExecutionPlan {
        let language = PathExpressionLanguage()
        let (workflow, diagnostics) = WorkflowLoader(registry: NodeRegistry([NoopNode.self]), language: language)
            .load(text: yaml, file: "test.yaml")
        guard let workflow, !diagnostics.hasErrors else { throw PlanError(diagnostics: diagnostics) }
        let (plan, planDiagnostics) = Planner(language: language).plan(workflow, options: PlanOptions(environment: environment))
        guard let plan else { throw PlanError(diagnostics: planDiagnostics) }
        return plan
    }

    struct PlanError: Error, CustomStringConvertible {
        let diagnostics: Diagnostics
        var description: String { diagnostics.items.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0): \($0.message)" }.joined(separator: "\n") }
    }
}
