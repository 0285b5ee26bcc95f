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
///
/// Checkpoint markers (`RecordOutput.checkpoint()`) are handled inside `next()` and never reach
/// node code: when one arrives the node's pending `RecordWriter` output is sent, its checkpoint
/// hooks run (`onCheckpoint`), and the marker is forwarded. So a node must have sent (or put in a
/// writer) everything it derived from earlier batches before it asks for the next one.
public struct RecordInput: AsyncSequence, Sendable {
    public typealias Element = [JSON]
    let channel: BatchChannel
    let counters: NodeCounters
    let relay: CheckpointRelay?

    init(channel: BatchChannel, counters: NodeCounters, relay: CheckpointRelay? = nil) {
        self.channel = channel
        self.counters = counters
        self.relay = relay
    }

    /// The next batch, after handling any markers in front of it.
    static func nextBatch(_ channel: BatchChannel, _ counters: NodeCounters, _ relay: CheckpointRelay?) async throws
        -> RecordBatch?
    {
        while let item = try await channel.receive() {
            switch item {
            case .batch(let batch):
                counters.recordsInValue.add(batch.count, ordering: .relaxed)
                return batch
            case .checkpoint(let token):
                try await relay?.receive(token)
            }
        }
        return nil
    }

    /// Registers work to do when a checkpoint passes this node, after everything before it was
    /// read: make what was received durable (flush a file, wait for deliveries). Throwing fails the
    /// node, and with it the checkpoint. Called on the node's own task, between two `next()` calls.
    public func onCheckpoint(_ hook: @escaping () async throws -> Void) {
        relay?.addHook(hook)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BatchChannel
        let counters: NodeCounters
        let relay: CheckpointRelay?

        public mutating func next() async throws -> [JSON]? {
            try await RecordInput.nextBatch(channel, counters, relay)?.records()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(channel: channel, counters: counters, relay: relay) }

    /// The batches as sent: documents stay bytes.
    public var batches: Batches { Batches(channel: channel, counters: counters, relay: relay) }

    public struct Batches: AsyncSequence, Sendable {
        public typealias Element = RecordBatch
        let channel: BatchChannel
        let counters: NodeCounters
        let relay: CheckpointRelay?

        public struct AsyncIterator: AsyncIteratorProtocol {
            let channel: BatchChannel
            let counters: NodeCounters
            let relay: CheckpointRelay?

            public mutating func next() async throws -> RecordBatch? {
                try await RecordInput.nextBatch(channel, counters, relay)
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(channel: channel, counters: counters, relay: relay)
        }
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
    /// What `RecordWriter`s of this output hold, flushed by `send`, `flush` and checkpoints.
    let pending: PendingRecords
    let checkpoints: (board: CheckpointBoard, nodeID: String, downstream: Set<String>)?

    init(channels: [BatchChannel], counters: NodeCounters, batchSize: Int, prefersDocuments: Bool = false,
         checkpoints: (board: CheckpointBoard, nodeID: String, downstream: Set<String>)? = nil) {
        self.channels = channels
        self.counters = counters
        self.batchSize = batchSize
        self.prefersDocuments = prefersDocuments && !channels.isEmpty
        pending = PendingRecords(batchSize: batchSize)
        self.checkpoints = checkpoints
    }

    /// Sends one batch to every consumer, waiting while any of them is full. Records pending in a
    /// `RecordWriter` of this output go first.
    public func send(_ batch: [JSON]) async throws {
        try await flushPending()
        try await sendNow(batch)
    }

    func sendNow(_ batch: [JSON]) async throws {
        guard !batch.isEmpty else { return }
        counters.recordsOutValue.add(batch.count, ordering: .relaxed)
        for channel in channels { try await channel.send(.batch(.records(batch))) }
    }

    /// Sends validated JSON documents as one batch; consumers that want values parse them.
    public func send(_ documents: JSONDocuments) async throws {
        try await flushPending()
        guard !documents.isEmpty else { return }
        counters.recordsOutValue.add(documents.count, ordering: .relaxed)
        for channel in channels { try await channel.send(.batch(.documents(documents))) }
    }

    /// Sends what `RecordWriter`s hold.
    func flushPending() async throws {
        if let batch = pending.takeAll() { try await sendNow(batch) }
    }

    func forward(_ token: CheckpointToken) async throws {
        for channel in channels { try await channel.send(.checkpoint(token)) }
    }

    /// Sends everything produced so far, then a checkpoint marker after it, and waits until every
    /// node downstream has processed all the records sent before the marker (sinks have also run
    /// their `RecordInput.onCheckpoint` hooks). True then; false when a downstream node failed,
    /// was skipped or was cancelled (now or earlier in the run), or when this task is cancelled.
    /// A source that acknowledges its data (Kafka offsets) commits what it sent before the call
    /// only on true.
    public func checkpoint() async throws -> Bool {
        try await flushPending()
        guard let checkpoints, !checkpoints.downstream.isEmpty else { return !Task.isCancelled }
        let (token, decided) = checkpoints.board.begin(source: checkpoints.nodeID, downstream: checkpoints.downstream)
        if let decided { return decided }
        do {
            try await forward(token)
        } catch {
            checkpoints.board.abandon(token)
            throw error
        }
        return await checkpoints.board.wait(token)
    }

    /// Ends the stream now: consumers see the end of input while this node keeps running (for
    /// example to wait for `NodeContext.downstreamSucceeded()` before committing). Idempotent.
    /// Records pending in a `RecordWriter` must be flushed first.
    public func finish() {
        for channel in channels { channel.finish() }
    }

    /// True when no node consumes this node's records.
    public var hasConsumers: Bool { !channels.isEmpty }

    /// A buffering writer for nodes that produce one record at a time. Writers of one output share
    /// its buffer, which the engine flushes when a checkpoint marker passes the node.
    public func writer() -> RecordWriter { RecordWriter(output: self) }
}

/// Collects records into batches of `batchSize` and sends them. Call `flush()` at the end.
///
/// The records wait in a buffer owned by the engine (`RecordOutput`), so a checkpoint marker that
/// reaches the node sends them before it passes on.
public struct RecordWriter {
    let output: RecordOutput

    init(output: RecordOutput) {
        self.output = output
    }

    /// Adds a record and sends a batch when `batchSize` records are waiting.
    public mutating func emit(_ record: JSON) async throws {
        if let batch = output.pending.append(record) { try await output.sendNow(batch) }
    }

    /// Adds a record without sending, for code that cannot wait here (a synchronous closure);
    /// call `sendFull()` or `flush()` afterwards.
    public mutating func add(_ record: JSON) {
        output.pending.add(record)
    }

    /// Sends the waiting records as one batch when there are at least `batchSize`.
    public mutating func sendFull() async throws {
        if let batch = output.pending.takeFull() { try await output.sendNow(batch) }
    }

    /// Sends every waiting record.
    public mutating func flush() async throws {
        try await output.flushPending()
    }
}
