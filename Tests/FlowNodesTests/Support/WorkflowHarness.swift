import FlowCore
import FlowExpressions
import FlowJSON
import FlowNodes
import Foundation

/// Loads, plans and runs a workflow given as text with the built-in node types plus the test collector,
/// and JSONata as the expression language (as the `flow` binary does).
struct WorkflowHarness {
    struct Outcome {
        /// Nil when loading or planning failed.
        var result: RunResult?
        var diagnostics: Diagnostics
        /// What the `test_collector` nodes received, by bucket.
        var collected: [String: [JSON]]

        func node(_ id: String) -> NodeResult? { result?.nodes.first { $0.id == id } }
    }

    struct SilentObserver: RunObserver {}

    static let registry = BuiltinNodes.registry.adding([CollectorNode.self, SlowSourceNode.self, CountingSinkNode.self])

    /// Only loads and plans: the diagnostics `flow validate` would report.
    static func validate(_ yaml: String, file: String = "test.yaml") -> Diagnostics {
        let loader = WorkflowLoader(registry: registry, language: JSONataLanguage())
        let (workflow, diagnostics) = loader.load(text: yaml, file: file)
        guard let workflow, !diagnostics.hasErrors else { return diagnostics }
        var all = diagnostics
        all.append(contentsOf: Planner(language: JSONataLanguage()).plan(workflow, options: PlanOptions()).1)
        return all
    }

    /// Runs the workflow; `buckets` are the `bucket:` names of its collectors, read back afterwards.
    /// A small `batchSize` makes records cross batch boundaries.
    static func run(_ yaml: String, buckets: [String], batchSize: Int = 500, file: String = "test.yaml") async -> Outcome {
        let loader = WorkflowLoader(registry: registry, language: JSONataLanguage())
        let (workflow, loadDiagnostics) = loader.load(text: yaml, file: file)
        guard let workflow, !loadDiagnostics.hasErrors else {
            return Outcome(result: nil, diagnostics: loadDiagnostics, collected: [:])
        }
        let (plan, planDiagnostics) = Planner(language: JSONataLanguage()).plan(workflow, options: PlanOptions())
        var diagnostics = loadDiagnostics
        diagnostics.append(contentsOf: planDiagnostics)
        guard let plan else { return Outcome(result: nil, diagnostics: diagnostics, collected: [:]) }
        let result = await Engine(batchSize: batchSize).run(plan, runID: "test-\(UUID().uuidString)", observer: SilentObserver())
        var collected: [String: [JSON]] = [:]
        for bucket in buckets { collected[bucket] = CollectorNode.store.take(bucket) }
        return Outcome(result: result, diagnostics: diagnostics, collected: collected)
    }
}
