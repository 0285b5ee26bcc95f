/// The producer's delivery bookkeeping: counters fed by delivery reports and the `flush` callers
/// waiting for them. A value type used behind a `Mutex`; methods return the continuations to resume,
/// which the caller resumes after unlocking.
///
/// The number of records sent lives outside (an atomic the senders bump without this lock) and is
/// passed in, so a high send rate never contends with the poll thread for the lock.
struct DeliveryState {
    typealias Continuation = CheckedContinuation<KafkaDeliveryCounts, Never>

    private struct Waiter {
        let deadline: ContinuousClock.Instant
        let continuation: Continuation
    }

    private(set) var delivered = 0
    private(set) var failed = 0
    private(set) var firstError: KafkaError?
    private var waiters: [Int: Waiter] = [:]
    private var cancelled: Set<Int> = []
    private var nextWaiterID = 0

    func counts(sent: Int) -> KafkaDeliveryCounts {
        KafkaDeliveryCounts(sent: sent, delivered: delivered, failed: failed, firstError: firstError)
    }

    /// Adds delivery reports gathered by the poll thread.
    mutating func report(delivered: Int, failed: Int, firstError: KafkaError?) {
        self.delivered += delivered
        self.failed += failed
        if self.firstError == nil { self.firstError = firstError }
    }

    mutating func makeWaiterID() -> Int {
        nextWaiterID += 1
        return nextWaiterID
    }

    /// Registers a flush waiter, or returns the counts at once when nothing is pending, the deadline
    /// has passed, or the waiter was cancelled before it got here.
    mutating func addWaiter(
        id: Int, deadline: ContinuousClock.Instant, now: ContinuousClock.Instant, sent: Int,
        continuation: Continuation
    ) -> KafkaDeliveryCounts? {
        let counts = counts(sent: sent)
        if counts.pending <= 0 || deadline <= now || cancelled.remove(id) != nil {
            return counts
        }
        waiters[id] = Waiter(deadline: deadline, continuation: continuation)
        return nil
    }

    /// Removes a cancelled waiter and returns its continuation (or remembers the cancellation if the
    /// waiter has not been added yet).
    mutating func cancelWaiter(id: Int, sent: Int) -> (Continuation, KafkaDeliveryCounts)? {
        if let waiter = waiters.removeValue(forKey: id) {
            return (waiter.continuation, counts(sent: sent))
        }
        cancelled.insert(id)
        return nil
    }

    /// Waiters to resume now: all of them when nothing is pending, otherwise those past their deadline.
    mutating func tick(now: ContinuousClock.Instant, sent: Int) -> [(Continuation, KafkaDeliveryCounts)] {
        guard !waiters.isEmpty else { return [] }
        let counts = counts(sent: sent)
        var ready: [(Continuation, KafkaDeliveryCounts)] = []
        for (id, waiter) in waiters where counts.pending <= 0 || waiter.deadline <= now {
            ready.append((waiter.continuation, counts))
            waiters[id] = nil
        }
        return ready
    }

    /// Every waiter, for when nobody will poll any more (the producer closed).
    mutating func removeAllWaiters(sent: Int) -> [(Continuation, KafkaDeliveryCounts)] {
        let counts = counts(sent: sent)
        defer { waiters.removeAll() }
        return waiters.values.map { ($0.continuation, counts) }
    }
}
