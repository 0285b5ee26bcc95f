import ArgumentParser
import FlowCore

struct NodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List node types, or show one type's fields and an example.")

    @Argument(help: "A node type to describe.")
    var type: String?

    @Flag(name: .customLong("markdown"), help: "Print the reference of every node type as Markdown (docs/nodes.md).")
    var markdown = false

    func run() throws {
        let registry = Toolchain.standard.registry
        if markdown {
            Terminal.out(NodeDocs.markdown(registry))
            return
        }
        guard let type else {
            let specs = registry.types.map { $0.spec }.sorted { $0.type < $1.type }
            let width = specs.map(\.type.count).max() ?? 0
            for spec in specs {
                let role = NodeDocs.role(spec)
                Terminal.out(spec.type.padding(width + 2) + role.padding(20) + spec.summary + "\n")
            }
            Terminal.out("\nRun `flow nodes TYPE` for a type's fields.\n")
            return
        }
        guard let nodeType = registry.type(named: type) else {
            var message = "flow: unknown node type `\(type)`"
            if let hint = Suggestions.hint(for: type, in: registry.names) { message += "; \(hint)" }
            Terminal.err(message + "\nRun `flow nodes` to list node types.\n")
            throw ExitCode(ExitStatus.invalid)
        }
        let spec = nodeType.spec
        var out = "\(spec.type): \(spec.summary)\nrole: \(NodeDocs.role(spec))\n\nfields:\n"
        let width = spec.fields.map(\.name.count).max() ?? 0
        for field in spec.fields {
            out += "  " + field.name.padding(width + 2) + field.type.displayName
            if field.required { out += ", required" }
            if let d = field.defaultValue { out += ", default \(d.serialized())" }
            out += "\n      \(field.description)\n"
            if case .object(let nested) = field.type {
                for n in nested {
                    out += "      \(field.name).\(n.name): \(n.type.displayName)"
                    if n.required { out += ", required" }
                    if let d = n.defaultValue { out += ", default \(d.serialized())" }
                    out += " - \(n.description)\n"
                }
            }
        }
        out += "\ncommon fields: " + CommonNodeFields.specs.filter { $0.name != "type" }.map(\.name).joined(separator: ", ") + "\n"
        out += "\nexample:\n" + spec.example.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") + "\n"
        Terminal.out(out)
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
