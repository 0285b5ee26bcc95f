import FlowJSON
import Foundation
import Testing

/// `flow graph`, `flow nodes` and `flow schema`.
@Suite struct InspectCommandsTests {
    static let workflow = """
        nodes:
          src: { type: inline, records: [{ a: 1 }] }
          wait: { type: sleep, input: src, duration: 1ms }
          out: { type: file_output, input: wait, path: "${secrets.OUT_PATH}" }
          done: { type: sleep, duration: 1ms, after: out }
        """

    @Test func graphAsMermaidAndDot() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("g.yaml", Self.workflow)
        let mermaid = FlowBinary.run(["graph", file], env: ["OUT_PATH": "secret-path.ndjson"])
        #expect(mermaid.status == 0, "\(mermaid.stderr)")
        #expect(mermaid.stdout == """
            flowchart LR
                n_src["src<br/><small>inline</small>"]
                n_wait["wait<br/><small>sleep</small>"]
                n_out["out<br/><small>file_output</small>"]
                n_done["done<br/><small>sleep</small>"]
                n_src --> n_wait
                n_wait --> n_out
                n_out -.-> n_done

            """)
        let dot = FlowBinary.run(["graph", file, "--format", "dot"])
        #expect(dot.stdout.contains("\"wait\" -> \"out\";"))
        #expect(dot.stdout.contains("\"out\" -> \"done\" [style=dashed, label=\"after\"];"))
        #expect(!mermaid.stdout.contains("secret-path"))
    }

    @Test func nodesListsTypesAndDescribesOne() {
        let list = FlowBinary.run(["nodes"])
        #expect(list.status == 0)
        for type in ["file_input", "file_output", "inline", "sleep", "json_extract"] { #expect(list.stdout.contains(type)) }
        let one = FlowBinary.run(["nodes", "file_input"])
        #expect(one.status == 0)
        #expect(one.stdout.contains("  path ") && one.stdout.contains("string, required"))
        #expect(one.stdout.contains("example:\n  orders:\n    type: file_input"))
        let unknown = FlowBinary.run(["nodes", "file_inptu"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean `file_input`?"))
    }

    @Test func schemaIsJSONAndMatchesTheCommittedFile() throws {
        let r = FlowBinary.run(["schema"])
        #expect(r.status == 0)
        let schema = try JSONParser.parse(r.stdout)
        #expect(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema")
        let committed = try String(contentsOf: FlowBinary.packageRoot.appendingPathComponent("docs/workflow.schema.json"), encoding: .utf8)
        #expect(committed == r.stdout)
    }

    @Test func helpDescribesTheCommands() {
        let r = FlowBinary.run(["--help"])
        #expect(r.status == 0)
        for command in ["run", "validate", "graph", "nodes", "runs", "schema", "jsonpath"] {
            #expect(r.stdout.contains("  \(command)"), "missing \(command) in --help")
        }
    }
}
