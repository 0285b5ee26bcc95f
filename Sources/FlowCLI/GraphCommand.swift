import ArgumentParser
import FlowCore

struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Print a workflow's DAG as Mermaid or Graphviz dot.",
        discussion: "Solid arrows are data edges (`input`), dashed arrows ordering edges (`after`).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case mermaid, dot
    }

    @Argument(help: "The workflow file.")
    var file: String

    @Option(help: "Output format: mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
        let toolchain = Toolchain.standard
        let loader = WorkflowLoader(registry: toolchain.registry, language: toolchain.language)
        let (workflow, diagnostics) = loader.load(file: file)
        guard let workflow else {
            WorkflowSession(toolchain: toolchain, environment: [:]).report(diagnostics, file: file, text: nil)
            throw ExitCode(ExitStatus.invalid)
        }
        let graph = WorkflowGraph(workflow)
        Terminal.out(format == .mermaid ? GraphRenderer.mermaid(workflow, graph) : GraphRenderer.dot(workflow, graph))
    }
}

/// Renders the DAG. Labels show ids and types only: no field values, so no secret can appear.
enum GraphRenderer {
    static func mermaid(_ workflow: Workflow, _ graph: WorkflowGraph) -> String {
        var out = "flowchart LR\n"
        for node in workflow.nodes {
            out += "    \(safeID(node.id))[\"\(escape(node.id))<br/><small>\(escape(node.type))</small>\"]\n"
        }
        for edge in graph.edges {
            out += "    \(safeID(edge.from)) \(edge.kind == .data ? "-->" : "-.->") \(safeID(edge.to))\n"
        }
        return out
    }

    static func dot(_ workflow: Workflow, _ graph: WorkflowGraph) -> String {
        var out = "digraph \"\(escape(workflow.name))\" {\n    rankdir=LR;\n    node [shape=box, style=rounded];\n"
        for node in workflow.nodes {
            out += "    \"\(escape(node.id))\" [label=\"\(escape(node.id))\\n(\(escape(node.type)))\"];\n"
        }
        for edge in graph.edges {
            out += "    \"\(escape(edge.from))\" -> \"\(escape(edge.to))\"\(edge.kind == .order ? " [style=dashed, label=\"after\"]" : "");\n"
        }
        return out + "}\n"
    }

    static func safeID(_ id: String) -> String {
        "n_" + id.map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    static func escape(_ s: String) -> String {
        s.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
