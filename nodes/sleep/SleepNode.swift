import FlowCore

/// Waits, then passes its input through unchanged: for pacing, and for testing schedules.
struct SleepNode: Node {
    static let spec = NodeSpec(
        type: "sleep",
        summary: "Wait for a duration, then pass input records through unchanged.",
        inputs: .optional,
        fields: [
            FieldSpec("duration", .duration, required: true, "How long to wait before forwarding records, e.g. `10ms`, `2s`."),
        ],
        example: """
            pause:
              type: sleep
              duration: 2s
              after: load
            """)

    let duration: Duration

    init(config: NodeConfig, context: NodeBuildContext) throws {
        duration = config.duration("duration") ?? .zero
    }

    func run(_ context: NodeContext) async throws {
        // A tight tolerance: the default timer leeway adds about 10% to every sleep.
        try await Task.sleep(for: duration, tolerance: .microseconds(50))
        guard let input = context.input else { return }
        for try await batch in input { try await context.output.send(batch) }
    }
}
