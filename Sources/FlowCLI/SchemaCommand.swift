import ArgumentParser
import FlowCore

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema of the workflow format (for editor completion and checks).",
        discussion: "The same file is committed as docs/workflow.schema.json.")

    func run() throws {
        Terminal.out(WorkflowSchema.generate(Toolchain.standard.registry).serialized(pretty: true) + "\n")
    }
}
