import ArgumentParser
import Dispatch
import FlowCore
import FlowJSON
import FlowRunStore
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Validate and run a workflow.",
        discussion: """
            Shows live progress on a terminal (plain log lines otherwise) and ends with a summary.
            The run is recorded in the state file ($FLOW_HOME/state.db, or .flow/state.db next to the
            workflow); see `flow runs`.
            Exit status: 0 success, 1 the run failed, 2 invalid workflow or arguments, 130 interrupted.
            """)

    @Argument(help: "The workflow file.")
    var file: String

    @Option(name: .customLong("param"), help: "Set a parameter: NAME=VALUE (repeatable).")
    var params: [String] = []

    @Option(help: "Most pipelines running at once (overrides the workflow's `concurrency`).")
    var concurrency: Int?

    @Flag(name: .customLong("dry-run"), help: "Validate and print the execution plan; run nothing.")
    var dryRun = false

    @Option(name: .customLong("log-format"), help: "text (default) or json (one object per line).")
    var logFormat: String = "text"

    @Option(name: .customLong("secrets"), help: "Secrets file (NAME=VALUE lines); also $FLOW_SECRETS_FILE.")
    var secretsFile: String?

    @Option(name: .customLong("state"), help: "Run-state database (default: $FLOW_HOME/state.db or .flow/state.db beside the workflow).")
    var statePath: String?

    @Flag(name: .customLong("no-progress"), help: "Plain log lines even on a terminal.")
    var noProgress = false

    func validate() throws {
        if let c = concurrency, c < 1 { throw ValidationError("--concurrency must be at least 1") }
        if !["text", "json"].contains(logFormat) { throw ValidationError("--log-format must be `text` or `json`") }
    }

    func run() async throws {
        let environment = Terminal.environment
        let startedAt = WallClock.now()
        let runID = WallClock.compact(startedAt) + "-" + String(UInt32.random(in: 0..<UInt32.max) & 0xFFFFFF, radix: 16).leftPadded(6)
        let session = WorkflowSession(toolchain: .standard, environment: environment)
        guard let (workflow, plan) = session.plan(
            file: file, params: params, concurrency: concurrency, secretsFile: secretsFile, runID: dryRun ? "dry-run" : runID,
            startedAt: WallClock.iso8601(startedAt), requireSecrets: !dryRun)
        else { throw ExitCode(ExitStatus.invalid) }

        if dryRun {
            Terminal.out(PlanPrinter.render(plan))
            Terminal.flush()
            return
        }

        let format = RunReporter.Format(rawValue: logFormat) ?? .text
        let reporter = RunReporter(format: format, live: Terminal.stderrIsTerminal && !noProgress,
                                   color: Terminal.colorEnabled(for: 2), masker: plan.masker)

        // The run store: a failure to record never stops the run, but it is reported.
        let storePath = statePath ?? RunStore.defaultPath(forWorkflow: file, environment: environment)
        var store: RunStore?
        do {
            let s = try RunStore(path: storePath)
            try await s.recordStart(runID: runID, workflow: workflow.name, file: file,
                                    params: maskedParams(plan), startedAt: startedAt)
            store = s
        } catch {
            reporter.emit(level: .warning, event: "state_unavailable", message: "cannot record the run in \(storePath): \(error)")
        }

        let engine = Engine(makeLogger: { node in
            Logger(label: "flow.node.\(node)") { _ in ReporterLogHandler(reporter: reporter, node: node) }
        })
        // Trap signals before the run starts, so an early Ctrl-C is not lost.
        let interrupted = SignalTrap.install()
        let runTask = Task { await engine.run(plan, runID: runID, observer: reporter) }
        interrupted.attach(runTask)
        let ticker = reporter.live ? Task {
            while !Task.isCancelled {
                reporter.redraw()
                try? await Task.sleep(for: .milliseconds(150))
            }
        } : nil
        let result = await runTask.value
        ticker?.cancel()
        reporter.clearLive()
        SignalTrap.restore()

        if let store {
            do { try await store.recordFinish(result) } catch {
                reporter.emit(level: .warning, event: "state_unavailable", message: "cannot record the run's end in \(storePath): \(error)")
            }
        }
        let notifier = Notifications(plan: plan, reporter: reporter, store: store)
        await notifier.send(for: result)

        Terminal.out(RunSummary.render(result, format: format, color: Terminal.colorEnabled(for: 1), masker: plan.masker))
        Terminal.flush()
        if interrupted.value { throw ExitCode(ExitStatus.interrupted) }
        switch result.status {
        case .succeeded: return
        case .cancelled: throw ExitCode(ExitStatus.interrupted)
        case .failed, .running: throw ExitCode(ExitStatus.runFailed)
        }
    }

    func maskedParams(_ plan: ExecutionPlan) -> JSON {
        var out = JSONObject()
        for param in plan.workflow.params {
            let value = plan.scope.params[param.name] ?? .null
            out[param.name] = param.secret ? "***" : plan.masker.mask(value)
        }
        return .object(out)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// Ctrl-C and SIGTERM cancel the run (recorded as cancelled, exit 130); a second Ctrl-C exits at once.
enum SignalTrap {
    final class Flag: Sendable {
        struct State {
            var interrupted = false
            var task: Task<RunResult, Never>?
        }

        let state = Mutex(State())
        var value: Bool { state.withLock { $0.interrupted } }

        /// The run to cancel; cancelled at once when a signal already arrived.
        func attach(_ task: Task<RunResult, Never>) {
            let cancelNow = state.withLock { s -> Bool in
                s.task = task
                return s.interrupted
            }
            if cancelNow { task.cancel() }
        }

        func signalled() {
            let (again, task) = state.withLock { s -> (Bool, Task<RunResult, Never>?) in
                defer { s.interrupted = true }
                return (s.interrupted, s.task)
            }
            if again { _exit(ExitStatus.interrupted) }
            Terminal.err("\nflow: interrupted; cancelling the run (press Ctrl-C again to quit at once)\n")
            task?.cancel()
        }
    }

    nonisolated(unsafe) static var sources: [DispatchSourceSignal] = []

    static func install() -> Flag {
        let flag = Flag()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { flag.signalled() }
            source.resume()
            sources.append(source)
        }
        return flag
    }

    static func restore() {
        sources.forEach { $0.cancel() }
        sources = []
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

import Synchronization
