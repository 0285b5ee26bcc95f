import ArgumentParser
import FlowCore

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check workflow files without running anything.",
        discussion: """
            Reports every problem at once as FILE:LINE:COLUMN: error: MESSAGE with the source line, a caret
            and a hint. Nothing is sent, written or connected to. Exit status 0 when every file is valid,
            2 otherwise. `flow run --dry-run FILE` runs the same checks and prints the execution plan.
            """)

    @Argument(help: "Workflow files to check.")
    var files: [String]

    @Option(name: .customLong("param"), help: "Set a parameter: NAME=VALUE (repeatable).")
    var params: [String] = []

    @Option(name: .customLong("secrets"), help: "Secrets file (NAME=VALUE lines); also $FLOW_SECRETS_FILE.")
    var secretsFile: String?

    @Flag(name: .customLong("plan"), help: "Also print each file's execution plan.")
    var printPlan = false

    @Flag(name: .customLong("quiet"), help: "Print only problems.")
    var quiet = false

    func run() throws {
        let session = WorkflowSession(toolchain: .standard, environment: Terminal.environment)
        var failed = false
        for file in files {
            guard let (_, plan) = session.plan(file: file, params: params, concurrency: nil, secretsFile: secretsFile,
                                               runID: "dry-run", startedAt: "", requireSecrets: false) else {
                failed = true
                continue
            }
            if printPlan { Terminal.out(PlanPrinter.render(plan)) }
            if !quiet {
                Terminal.out("\(file): valid (\(plan.nodes.count) node\(plan.nodes.count == 1 ? "" : "s"), \(plan.stages.count) stage\(plan.stages.count == 1 ? "" : "s"))\n")
            }
        }
        Terminal.flush()
        if failed { throw ExitCode(ExitStatus.invalid) }
    }
}
