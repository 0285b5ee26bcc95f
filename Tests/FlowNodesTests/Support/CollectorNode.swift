import FlowCore
import FlowJSON
import Synchronization

/// A test-only sink that keeps the records it receives, under the name given in its `bucket` field,
/// so that tests running in parallel read back only their own records.
struct CollectorNode: Node {
    static let spec = NodeSpec(
        type: "test_collector",
        summary: "Keep received records in memory (tests only).",
        inputs: .required,
        producesRecords: false,
        fields: [FieldSpec("bucket", .string, required: true, "Where the records are kept; unique per test.")],
        example: """
            collect:
              type: test_collector
              input: source
              bucket: my-test
            """)

    /// Records by bucket, filled by running collectors.
    static let store = CollectorStore()

    let bucket: String

    init(config: NodeConfig, context: NodeBuildContext) throws {
        bucket = config.string("bucket") ?? context.nodeID
    }

    func run(_ context: NodeContext) async throws {
        for try await batch in try context.requireInput() {
            Self.store.append(batch, to: bucket)
        }
    }
}

final class CollectorStore: Sendable {
    let buckets = Mutex<[String: [JSON]]>([:])

    func append(_ records: [JSON], to bucket: String) {
        buckets.withLock { $0[bucket, default: []].append(contentsOf: records) }
    }

    /// Returns and forgets the records of `bucket`.
    func take(_ bucket: String) -> [JSON] {
        buckets.withLock { $0.removeValue(forKey: bucket) ?? [] }
    }
}
