import FlowCore
import FlowExpressions
import FlowNodes
import Foundation
import Testing

/// docs/nodes.md and docs/workflow.schema.json are generated from the node specs; this fails when
/// a spec changed without regenerating them (`scripts/generate-docs.sh`).
@Suite struct GeneratedFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func nodeReferenceIsCurrent() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docs/nodes.md"), encoding: .utf8)
        #expect(committed == NodeDocs.markdown(BuiltinNodes.registry),
                "docs/nodes.md is stale: run scripts/generate-docs.sh and commit the result")
    }

    @Test func workflowSchemaIsCurrent() throws {
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docs/workflow.schema.json"), encoding: .utf8)
        let generated = WorkflowSchema.generate(BuiltinNodes.registry).serialized(pretty: true) + "\n"
        #expect(committed == generated, "docs/workflow.schema.json is stale: run scripts/generate-docs.sh and commit the result")
    }

    @Test func everyNodeTypeHasAValidExample() throws {
        let loader = WorkflowLoader(registry: BuiltinNodes.registry, language: JSONataLanguage())
        for type in BuiltinNodes.types {
            let spec = type.spec
            #expect(!spec.example.isEmpty, "\(spec.type) has no example")
            // Each example must at least parse as YAML and name its type.
            let yaml = "nodes:\n" + spec.example.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
            let (_, diagnostics) = loader.load(text: yaml, file: "\(spec.type).example.yaml")
            let typeErrors = diagnostics.errors.filter { $0.message.contains("unknown field") || $0.message.contains("unknown node type") || $0.message.contains("invalid YAML") }
            #expect(typeErrors.isEmpty, "example of \(spec.type): \(typeErrors.map(\.message))")
        }
    }
}
