import FlowCore
import FlowJSON
import FlowNotify

/// Loads, validates and plans a workflow for the commands that need one, printing diagnostics.
struct WorkflowSession {
    let toolchain: Toolchain
    let environment: [String: String]

    /// Loads and plans `file`, printing every diagnostic to stderr. Nil when the file is invalid.
    func plan(file: String, params: [String], concurrency: Int?, secretsFile: String?, runID: String,
              startedAt: String, requireSecrets: Bool) -> (Workflow, ExecutionPlan)? {
        let loader = WorkflowLoader(registry: toolchain.registry, language: toolchain.language)
        let (workflow, diagnostics) = loader.load(file: file)
        var all = diagnostics
        var parsed: [(name: String, value: String)] = []
        for param in params {
            guard let eq = param.firstIndex(of: "="), eq != param.startIndex else {
                all.error("--param expects NAME=VALUE, found `\(param)`", at: nil)
                continue
            }
            parsed.append((String(param[..<eq]), String(param[param.index(after: eq)...])))
        }
        var secretsText: String?
        let secretsPath = secretsFile ?? environment["FLOW_SECRETS_FILE"]
        if let secretsPath {
            secretsText = FileText.read(secretsPath)
            if secretsText == nil { all.error("cannot read secrets file `\(secretsPath)`: \(FileText.lastError())", at: nil) }
        }
        guard let workflow, !all.hasErrors else {
            report(all, file: file, text: workflow?.source)
            return nil
        }
        let planner = Planner(language: toolchain.language)
        let options = PlanOptions(
            params: parsed, environment: environment,
            secrets: SecretSource(environment: environment, fileContents: secretsText),
            runID: runID, startedAt: startedAt, concurrency: concurrency, requireSecrets: requireSecrets)
        let (plan, planDiagnostics) = planner.plan(workflow, options: options)
        all.append(contentsOf: planDiagnostics)
        // Channel checks the loader cannot make: URL schemes, addresses, `nodes.x` in templates.
        all.append(contentsOf: NotifyValidation.diagnostics(for: workflow))
        report(all, file: file, text: workflow.source)
        guard let plan, !all.hasErrors else { return nil }
        return (workflow, plan)
    }

    func report(_ diagnostics: Diagnostics, file: String, text: String?) {
        guard !diagnostics.items.isEmpty else { return }
        var sources: [String: String] = [:]
        if let text { sources[file] = text } else if let t = FileText.read(file) { sources[file] = t }
        let renderer = DiagnosticRenderer(sources: sources, color: Terminal.colorEnabled(for: 2))
        Terminal.err(renderer.render(diagnostics))
        let errors = diagnostics.errors.count
        if errors > 0 {
            Terminal.err("\(file): \(errors) error\(errors == 1 ? "" : "s")\n")
        }
    }
}

