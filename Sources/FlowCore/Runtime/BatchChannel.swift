import FlowJSON
import Synchronization

/// What travels on an edge: a batch of records, or a checkpoint marker that follows the batches
/// sent before it (see `RecordOutput.checkpoint()`). Node code only ever sees batches.
enum EdgeItem: Sendable {
    case batch(RecordBatch)
    case checkpoint(CheckpointToken)
}

/// A bounded queue of record batches with one consumer: one data edge, or the merge of several
/// (several forwarding producers then send into it). Checkpoint markers take a slot like a batch.
///
/// `send` suspends while the buffer is full, so a slow consumer slows its producer and memory
/// stays bounded. When the consumer goes away (finished, skipped, failed) further sends are
/// dropped instead of blocking, so a producer never waits for a reader that will not come.
final class BatchChannel: Sendable {
    private struct State {
        var buffer: [EdgeItem] = []
        var head = 0
        var finished = false
        var failure: (any Error)?
        var consumerGone = false
        /// Producers waiting for room, with ids so a cancelled one can be found.
        var senders: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
        var nextSenderID = 0
        var receiver: CheckedContinuation<EdgeItem?, any Error>?

        var count: Int { buffer.count - head }

        /// The waiting producers, once the buffer has drained to `lowWater`: waking them in a group
        /// rather than one per freed slot saves a context switch per batch.
        mutating func takeSenders(lowWater: Int) -> [CheckedContinuation<Void, Never>] {
            guard !senders.isEmpty, count <= lowWater else { return [] }
            defer { senders.removeAll(keepingCapacity: true) }
            return senders.map(\.continuation)
        }

        mutating func pop() -> EdgeItem {
            let batch = buffer[head]
            buffer[head] = .batch(.records([]))
            head += 1
            if head > 32 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return batch
        }
    }

    let capacity: Int
    /// Waiting producers resume when the buffer has drained to this many batches.
    let lowWater: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        lowWater = self.capacity / 2
    }

    /// Batches waiting in the buffer.
    var bufferedBatches: Int { state.withLock { $0.count } }

    /// Hands a batch to the consumer, waiting while the buffer is full.
    func send(_ batch: EdgeItem) async throws {
        while true {
            enum Step { case done, wait, resume(CheckedContinuation<EdgeItem?, any Error>) }
            let step: Step = state.withLock { s in
                if s.consumerGone || s.finished { return .done }
                if let receiver = s.receiver {
                    s.receiver = nil
                    return .resume(receiver)
                }
                if s.count < capacity {
                    s.buffer.append(batch)
                    return .done
                }
                return .wait
            }
            switch step {
            case .done: return
            case .resume(let receiver):
                receiver.resume(returning: batch)
                return
            case .wait:
                try Task.checkCancellation()
                let id = state.withLock { s -> Int in
                    s.nextSenderID += 1
                    return s.nextSenderID
                }
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                        let resumeNow = state.withLock { s -> Bool in
                            if s.consumerGone || s.count < capacity || Task.isCancelled { return true }
                            s.senders.append((id, continuation))
                            return false
                        }
                        if resumeNow { continuation.resume() }
                    }
                } onCancel: {
                    let waiting = state.withLock { s -> CheckedContinuation<Void, Never>? in
                        guard let i = s.senders.firstIndex(where: { $0.id == id }) else { return nil }
                        return s.senders.remove(at: i).continuation
                    }
                    waiting?.resume()
                }
                try Task.checkCancellation()
            }
        }
    }

    /// The next batch, or nil when the producer finished. Throws the producer's failure.
    func receive() async throws -> EdgeItem? {
        enum Step { case value(EdgeItem?, [CheckedContinuation<Void, Never>]), failure(any Error), wait }
        let step: Step = state.withLock { s in
            if s.count > 0 {
                let batch = s.pop()
                return .value(batch, s.takeSenders(lowWater: lowWater))
            }
            if s.finished {
                if let failure = s.failure { return .failure(failure) }
                return .value(nil, [])
            }
            return .wait
        }
        switch step {
        case .value(let batch, let senders):
            for sender in senders { sender.resume() }
            return batch
        case .failure(let error):
            throw error
        case .wait:
            try Task.checkCancellation()
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<EdgeItem?, any Error>) in
                    enum Now { case value(EdgeItem?, [CheckedContinuation<Void, Never>]), failure(any Error), stored }
                    let now: Now = state.withLock { s in
                        if s.count > 0 {
                            let batch = s.pop()
                            return .value(batch, s.takeSenders(lowWater: lowWater))
                        }
                        if s.finished { return s.failure.map(Now.failure) ?? .value(nil, []) }
                        if Task.isCancelled { return .failure(CancellationError()) }
                        s.receiver = continuation
                        return .stored
                    }
                    switch now {
                    case .value(let batch, let senders):
                        for sender in senders { sender.resume() }
                        continuation.resume(returning: batch)
                    case .failure(let error): continuation.resume(throwing: error)
                    case .stored: break
                    }
                }
            } onCancel: {
                state.withLock { $0.receiver.take() }?.resume(throwing: CancellationError())
            }
        }
    }

    /// The producer is done; `failure` is delivered to the consumer after the buffered batches.
    func finish(throwing failure: (any Error)? = nil) {
        let receiver: CheckedContinuation<EdgeItem?, any Error>? = state.withLock { s in
            guard !s.finished else { return nil }
            s.finished = true
            s.failure = failure
            guard s.count == 0 else { return nil }
            return s.receiver.take()
        }
        if let receiver {
            if let failure { receiver.resume(throwing: failure) } else { receiver.resume(returning: nil) }
        }
    }

    /// The consumer will read no more: drop the buffer and release a waiting producer.
    func consumerDone() {
        let senders = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.consumerGone = true
            s.buffer = []
            s.head = 0
            defer { s.senders = [] }
            return s.senders.map(\.continuation)
        }
        for sender in senders { sender.resume() }
    }
}
