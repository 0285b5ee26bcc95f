import FlowJSON
import Synchronization

/// Names one checkpoint: the source that sent it and its sequence number there.
struct CheckpointToken: Sendable, Hashable {
    let source: String
    let sequence: Int
}

/// Which nodes still have to pass each open checkpoint, for the sources waiting on them.
///
/// A checkpoint completes with `true` when every node downstream of its source has passed the
/// marker (`passed`) or finished successfully; with `false` as soon as one of them finishes in any
/// other way (failed, skipped, cancelled), or when the waiting source is cancelled.
final class CheckpointBoard: Sendable {
    private struct Pending {
        var waiting: Set<String>
        var outcome: Bool?
        var continuation: CheckedContinuation<Bool, Never>?
    }

    private struct State {
        /// Finished nodes: true when they succeeded.
        var finished: [String: Bool] = [:]
        var pending: [CheckpointToken: Pending] = [:]
        var sequences: [String: Int] = [:]

        /// Records an outcome and returns the continuation to resume, if the source is waiting.
        mutating func settle(_ token: CheckpointToken, _ outcome: Bool) -> CheckedContinuation<Bool, Never>? {
            guard var entry = pending[token], entry.outcome == nil else { return nil }
            if let continuation = entry.continuation {
                pending[token] = nil
                return continuation
            }
            entry.outcome = outcome
            pending[token] = entry
            return nil
        }
    }

    private let state = Mutex(State())

    /// Opens a checkpoint of `source` over `downstream`. Returns its token, and the outcome when it
    /// is already decided (nothing left to wait for, or a downstream node already failed).
    func begin(source: String, downstream: Set<String>) -> (token: CheckpointToken, decided: Bool?) {
        state.withLock { s in
            let sequence = s.sequences[source, default: 0] + 1
            s.sequences[source] = sequence
            let token = CheckpointToken(source: source, sequence: sequence)
            if downstream.contains(where: { s.finished[$0] == false }) { return (token, false) }
            let waiting = downstream.filter { s.finished[$0] == nil }
            if waiting.isEmpty { return (token, true) }
            s.pending[token] = Pending(waiting: waiting)
            return (token, nil)
        }
    }

    /// `node` has processed everything its source sent before the marker.
    func passed(_ token: CheckpointToken, by node: String) {
        let ready = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard s.pending[token] != nil else { return nil }
            s.pending[token]!.waiting.remove(node)
            guard s.pending[token]!.waiting.isEmpty else { return nil }
            return s.settle(token, true)
        }
        ready?.resume(returning: true)
    }

    /// A node finished: success passes every open and later checkpoint, anything else fails them.
    func finished(_ node: String, status: NodeStatus) {
        let succeeded = status == .succeeded
        let ready = state.withLock { s -> [(CheckedContinuation<Bool, Never>, Bool)] in
            s.finished[node] = succeeded
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            for token in Array(s.pending.keys) where s.pending[token]!.waiting.contains(node) {
                s.pending[token]!.waiting.remove(node)
                if !succeeded || s.pending[token]!.waiting.isEmpty {
                    if let c = s.settle(token, succeeded) { ready.append((c, succeeded)) }
                }
            }
            return ready
        }
        for (continuation, outcome) in ready { continuation.resume(returning: outcome) }
    }

    /// Waits for the outcome of an open checkpoint; false at once when the waiting task is cancelled.
    func wait(_ token: CheckpointToken) async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now: Bool? = state.withLock { s in
                    guard let entry = s.pending[token] else { return false }
                    if let outcome = entry.outcome {
                        s.pending[token] = nil
                        return outcome
                    }
                    if Task.isCancelled {
                        s.pending[token] = nil
                        return false
                    }
                    s.pending[token]!.continuation = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            abandon(token)
        }
    }

    /// The source gives up on a checkpoint (cancelled, or it could not send the marker).
    func abandon(_ token: CheckpointToken) {
        let waiting = state.withLock { s in s.pending.removeValue(forKey: token)?.continuation }
        waiting?.resume(returning: false)
    }
}

/// The per-node side of checkpoints: counts the copies of each marker that reach the node (one per
/// input path from the marker's source), and once all have arrived flushes the node's pending
/// output, runs its checkpoint hooks, forwards the marker and reports the node as passed.
///
/// Used only from the node's own task (its input iterator), hence unchecked.
final class CheckpointRelay: @unchecked Sendable {
    let nodeID: String
    let graph: WorkflowGraph
    let board: CheckpointBoard
    var output: RecordOutput?
    private var hooks: [() async throws -> Void] = []
    private var expected: [String: Int] = [:]
    private var received: [CheckpointToken: Int] = [:]

    init(nodeID: String, graph: WorkflowGraph, board: CheckpointBoard) {
        self.nodeID = nodeID
        self.graph = graph
        self.board = board
    }

    func addHook(_ hook: @escaping () async throws -> Void) { hooks.append(hook) }
    func removeHooks() { hooks.removeAll() }

    /// Copies of `source`'s markers that reach this node: one per data input that is the source or
    /// downstream of it (each node forwards a marker once, after all its own copies arrived).
    private func copies(from source: String) -> Int {
        if let n = expected[source] { return n }
        let reachable = graph.downstream(of: source)
        let n = max(1, graph.edges.filter { $0.kind == .data && $0.to == nodeID && ($0.from == source || reachable.contains($0.from)) }.count)
        expected[source] = n
        return n
    }

    func receive(_ token: CheckpointToken) async throws {
        let count = received[token, default: 0] + 1
        guard count >= copies(from: token.source) else {
            received[token] = count
            return
        }
        received[token] = nil
        if let output { try await output.flushPending() }
        for hook in hooks { try await hook() }
        if let output { try await output.forward(token) }
        board.passed(token, by: nodeID)
    }
}

/// Records a node has produced but not yet sent (`RecordWriter`): kept by the engine rather than
/// the node so that a checkpoint marker can flush them before it passes the node.
final class PendingRecords: Sendable {
    private let records = Mutex<[JSON]>([])
    let batchSize: Int

    init(batchSize: Int) {
        self.batchSize = max(1, batchSize)
    }

    /// Adds a record; returns a full batch to send.
    func append(_ record: JSON) -> [JSON]? {
        records.withLock { r in
            if r.capacity < batchSize { r.reserveCapacity(batchSize) }
            r.append(record)
            return r.count >= batchSize ? Self.take(&r, batchSize) : nil
        }
    }

    /// Adds a record without taking a batch.
    func add(_ record: JSON) {
        records.withLock { r in
            if r.capacity < batchSize { r.reserveCapacity(batchSize) }
            r.append(record)
        }
    }

    /// A full batch to send, if there is one.
    func takeFull() -> [JSON]? {
        records.withLock { r in r.count >= batchSize ? Self.take(&r, batchSize) : nil }
    }

    /// Everything pending, or nil.
    func takeAll() -> [JSON]? {
        records.withLock { r in r.isEmpty ? nil : Self.take(&r, batchSize) }
    }

    private static func take(_ r: inout [JSON], _ capacity: Int) -> [JSON] {
        var batch: [JSON] = []
        batch.reserveCapacity(capacity)
        swap(&batch, &r)
        return batch
    }
}
