import FlowJSON
import Synchronization

/// Running totals for one node, read by progress displays while the node runs.
public final class NodeCounters: Sendable {
    let recordsInValue = Atomic<Int>(0)
    let recordsOutValue = Atomic<Int>(0)
    let metricsValue = Mutex<[String: Int]>([:])

    public init() {}

    public var recordsIn: Int { recordsInValue.load(ordering: .relaxed) }
    public var recordsOut: Int { recordsOutValue.load(ordering: .relaxed) }
    /// Node-specific counts such as `rows_inserted`, in the run summary and the run store.
    public var metrics: [String: Int] { metricsValue.withLock { $0 } }

    public func add(_ amount: Int, to metric: String) {
        metricsValue.withLock { $0[metric, default: 0] += amount }
    }

    public func set(_ value: Int, for metric: String) {
        metricsValue.withLock { $0[metric] = value }
    }
}

/// A batch on an edge: parsed records, or JSON documents kept as bytes (see `JSONDocuments`)
/// when every consumer of the producing node reads documents.
public enum RecordBatch: Sendable {
    case records([JSON])
    case documents(JSONDocuments)

    public var count: Int {
        switch self {
        case .records(let records): return records.count
        case .documents(let documents): return documents.count
        }
    }

    public var isDocuments: Bool {
        if case .documents = self { return true } else { return false }
    }

    /// The records, parsing documents.
    public func records() throws -> [JSON] {
        switch self {
        case .records(let records): return records
        case .documents(let documents): return try documents.values()
        }
    }
}

/// A node's incoming records: the batches of all its data inputs, merged. Iterating gives parsed
/// records; nodes that declare `Node.readsDocuments` can iterate `batches` instead and receive
/// documents as bytes when the producer sends them so.
public struct RecordInput: AsyncSequence, Sendable {
    public typealias Element = [JSON]
    let channel: BatchChannel
    let counters: NodeCounters

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BatchChannel
        let counters: NodeCounters

        public mutating func next() async throws -> [JSON]? {
            guard let batch = try await channel.receive() else { return nil }
            counters.recordsInValue.add(batch.count, ordering: .relaxed)
            return try batch.records()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: channel, counters: counters) }

    /// The batches as sent: documents stay bytes.
    public var batches: Batches { Batches(channel: channel, counters: counters) }

    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = RecordBatch
        let channel: BatchChannel
        let counters: NodeCounters

        public struct AsyncIterator: AsyncIteratorProtocol {
            let channel: BatchChannel
            let counters: NodeCounters

            public mutating func next() async throws -> RecordBatch? {
                guard let batch = try await channel.receive() else { return nil }
                counters.recordsInValue.add(batch.count, ordering: .relaxed)
                return batch
            }
        }

        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: channel, counters: counters) }
    }
}

/// A node's outgoing edge(s): every batch goes to every consumer (fan-out).
public struct RecordOutput: Sendable {
    let channels: [BatchChannel]
    let counters: NodeCounters
    /// Records per batch that `RecordWriter` aims for.
    public let batchSize: Int
    /// True when every consumer reads documents as bytes (`Node.readsDocuments`): a source that
    /// has JSON text in hand can then send it with `send(_: JSONDocuments)` instead of parsing it.
    public let prefersDocuments: Bool

    init(channels: [BatchChannel], counters: NodeCounters, batchSize: Int, prefersDocuments: Bool = false) {
        self.channels = channels
        self.counters = counters
        self.batchSize = batchSize
        self.prefersDocuments = prefersDocuments && !channels.isEmpty
    }

    /// Sends one batch to every consumer, waiting while any of them is full.
    public func send(_ batch: [JSON]) async throws {
        guard !batch.isEmpty else { return }
        counters.recordsOutValue.add(batch.count, ordering: .relaxed)
        for channel in channels { try await channel.send(.records(batch)) }
    }

    /// Sends validated JSON documents as one batch; consumers that want values parse them.
    public func send(_ documents: JSONDocuments) async throws {
        guard !documents.isEmpty else { return }
        counters.recordsOutValue.add(documents.count, ordering: .relaxed)
        for channel in channels { try await channel.send(.documents(documents)) }
    }

    /// Ends the stream now: consumers see the end of input while this node keeps running (for
    /// example to wait for `NodeContext.downstreamSucceeded()` before committing). Idempotent.
    public func finish() {
        for channel in channels { channel.finish() }
    }

    /// True when no node consumes this node's records.
    public var hasConsumers: Bool { !channels.isEmpty }

    /// A buffering writer for nodes that produce one record at a time.
    public func writer() -> RecordWriter { RecordWriter(output: self) }
}

/// Collects records into batches of `batchSize` and sends them. Call `flush()` at the end.
public struct RecordWriter {
    let output: RecordOutput
    var buffer: [JSON] = []

    init(output: RecordOutput) {
        self.output = output
        buffer.reserveCapacity(output.batchSize)
    }

    public mutating func emit(_ record: JSON) async throws {
        buffer.append(record)
        if buffer.count >= output.batchSize { try await flush() }
    }

    public mutating func flush() async throws {
        guard !buffer.isEmpty else { return }
        let batch = buffer
        buffer.removeAll(keepingCapacity: true)
        try await output.send(batch)
    }
}
