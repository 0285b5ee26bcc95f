import ArgumentParser
import FlowCore
import FlowJSON
import FlowRunStore

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recorded runs, or show one.",
        discussion: """
            Runs are stored in $FLOW_HOME/state.db when FLOW_HOME is set, else in .flow/state.db next to
            the workflow file. Point at a workflow with --workflow, or at a state file with --state; the
            default is ./.flow/state.db.
            """,
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self)

    struct StoreOptions: ParsableArguments {
        @Option(name: .customLong("state"), help: "Run-state database to read.")
        var statePath: String?

        @Option(name: .customLong("workflow"), help: "Read the runs recorded next to this workflow file.")
        var workflow: String?

        func open() throws -> RunStore {
            let environment = Terminal.environment
            let path = statePath ?? RunStore.defaultPath(forWorkflow: workflow, environment: environment)
            guard FileText.read(path) != nil else {
                Terminal.err("flow: no run state at \(path)\nRuns are recorded by `flow run`; use --workflow FILE or --state PATH to read another location.\n")
                throw ExitCode(ExitStatus.invalid)
            }
            return try RunStore(path: path)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List recent runs, newest first.")

        @OptionGroup var store: StoreOptions

        @Option(help: "How many runs to list.")
        var limit: Int = 20

        @Flag(help: "Print JSON.")
        var json = false

        func run() async throws {
            let runs = try await store.open().listRuns(limit: limit)
            if json {
                let items: [JSON] = runs.map { r in
                    ["id": .string(r.id), "workflow": .string(r.workflow), "status": .string(r.status),
                     "started_at": .string(WallClock.iso8601(r.startedAt)),
                     "duration_s": r.finishedAt.map { .double(($0 - r.startedAt) * 1000 / 1000) } ?? .null,
                     "error": r.error.map(JSON.string) ?? .null]
                }
                Terminal.out(JSON.array(items).serialized(pretty: true) + "\n")
                return
            }
            if runs.isEmpty {
                Terminal.out("no runs recorded yet\n")
                return
            }
            var rows = [["run", "workflow", "status", "started", "duration"]]
            for r in runs {
                rows.append([r.id, r.workflow, r.status, String(WallClock.iso8601(r.startedAt).prefix(19)).replacingAll("T", with: " "),
                             r.finishedAt.map { DurationParser.format(.milliseconds(Int64(($0 - r.startedAt) * 1000))) } ?? "-"])
            }
            Terminal.out(TextFormat.table(rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one run: params, nodes, errors.")

        @OptionGroup var store: StoreOptions

        @Argument(help: "The run id (or a unique prefix of it).")
        var id: String

        func run() async throws {
            guard let (run, nodes, notifications) = try await store.open().findRun(id) else {
                Terminal.err("flow: no run `\(id)` (or the prefix matches several runs); `flow runs` lists them\n")
                throw ExitCode(ExitStatus.invalid)
            }
            var out = "run       \(run.id)\nworkflow  \(run.workflow) (\(run.file))\nstatus    \(run.status)\n"
            out += "started   \(WallClock.iso8601(run.startedAt))\n"
            if let f = run.finishedAt {
                out += "finished  \(WallClock.iso8601(f)) (\(DurationParser.format(.milliseconds(Int64((f - run.startedAt) * 1000)))))\n"
            }
            if case .object(let params) = run.params, !params.isEmpty {
                out += "params\n"
                for (k, v) in params { out += "  \(k) = \(v.serialized())\n" }
            }
            if let e = run.error { out += "error     \(e)\n" }
            var rows = [["node", "type", "status", "time", "in", "out", "details"]]
            for n in nodes {
                var details: [String] = []
                if case .object(let m) = n.metrics { for (k, v) in m { details.append("\(k)=\(v.serialized())") } }
                if n.attempts > 1 { details.append("attempts=\(n.attempts)") }
                if let e = n.error { details.append(e) }
                let time = (n.startedAt != nil && n.finishedAt != nil)
                    ? DurationParser.format(.milliseconds(Int64((n.finishedAt! - n.startedAt!) * 1000))) : "-"
                rows.append([n.id, n.type, n.status, time, TextFormat.count(n.recordsIn), TextFormat.count(n.recordsOut),
                             details.joined(separator: "; ")])
            }
            out += "\n" + TextFormat.table(rows)
            if !notifications.isEmpty {
                out += "\nnotifications\n"
                for n in notifications {
                    out += "  \(n.channel) (rule \(n.position + 1)): \(n.status), \(n.attempts) attempt\(n.attempts == 1 ? "" : "s")"
                    out += (n.error.map { ": \($0)" } ?? "") + "\n"
                }
            }
            Terminal.out(out)
        }
    }
}
