import ArgumentParser

/// `flow`: run declarative node-graph workflows.
public struct FlowCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Run declarative node-graph workflows: YAML in, records streamed between typed nodes.",
        discussion: """
            Typical use:
              flow validate workflows/products.yaml
              flow run workflows/products.yaml --param database=sqlite:out.db
              flow runs

            Exit status: 0 success, 1 run failed, 2 invalid input, 130 interrupted.
            Docs: docs/workflow-format.md (format), docs/nodes.md (node types).
            """,
        version: "0.1.0",
        subcommands: [
            RunCommand.self, ValidateCommand.self, GraphCommand.self, NodesCommand.self, RunsCommand.self,
            SchemaCommand.self, JSONPathCommand.self, EvalCommand.self,
        ]
    )

    public init() {}
}

/// Exit statuses shared by the commands.
enum ExitStatus {
    static let success: Int32 = 0
    static let runFailed: Int32 = 1
    static let invalid: Int32 = 2
    static let interrupted: Int32 = 130
}

extension FlowCommand {
    /// Parses the command line and runs the chosen subcommand, awaiting async ones.
    /// (Called instead of `main()`, whose synchronous overload wins from a plain `main.swift`.)
    public static func start() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}
