import FlowCore
import FlowJSON

/// Emits records written in the workflow itself: small lookup tables, fixtures, examples.
struct InlineNode: Node {
    static let spec = NodeSpec(
        type: "inline",
        summary: "Emit records written in the workflow file.",
        inputs: .none,
        fields: [
            FieldSpec("records", .list(.any), required: true, "The records to emit, in order (`${...}` is resolved)."),
        ],
        example: """
            regions:
              type: inline
              records:
                - { code: eu, name: Europe }
                - { code: us, name: United States }
            """)

    let records: [JSON]

    init(config: NodeConfig, context: NodeBuildContext) throws {
        records = config.value("records")?.arrayValue ?? []
    }

    func run(_ context: NodeContext) async throws {
        var writer = context.output.writer()
        for record in records { try await writer.emit(record) }
        try await writer.flush()
    }
}
