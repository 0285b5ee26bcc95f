/// The producer's delivery bookkeeping: counters fed by delivery reports and the `flush` callers
/// waiting for them. A value type used behind a `Mutex`; methods return the continuations to resume,
/// which the caller resumes after unlocking.
struct DeliveryState {
    typealias Continuation = CheckedContinuation<KafkaDeliveryCounts, Never>

    private struct Waiter {
        let deadline: ContinuousClock.Instant
        let continuation: Continuation
    }

    private(set) var counts = KafkaDeliveryCounts()
    private var waiters: [Int: Waiter] = [:]
    private var cancelled: Set<Int> = []
    private var nextWaiterID = 0

    /// Counts records about to be enqueued (before `rd_kafka_producev`, so a delivery report can never
    /// arrive for a record not yet counted).
    mutating func willSend(_ count: Int) {
        counts.sent += count
    }

    /// Takes back records that librdkafka refused (they were reported to the sender by a thrown error).
    mutating func notSent(_ count: Int) {
        counts.sent -= count
    }

    mutating func reportDelivered() {
        counts.delivered += 1
    }

    mutating func reportFailed(_ error: KafkaError) {
        counts.failed += 1
        if counts.firstError == nil { counts.firstError = error }
    }

    mutating func makeWaiterID() -> Int {
        nextWaiterID += 1
        return nextWaiterID
    }

    /// Registers a flush waiter, or returns the counts at once when nothing is pending, the deadline
    /// has passed, or the waiter was cancelled before it got here.
    mutating func addWaiter(
        id: Int, deadline: ContinuousClock.Instant, now: ContinuousClock.Instant, continuation: Continuation
    ) -> KafkaDeliveryCounts? {
        if counts.pending <= 0 || deadline <= now || cancelled.remove(id) != nil {
            return counts
        }
        waiters[id] = Waiter(deadline: deadline, continuation: continuation)
        return nil
    }

    /// Removes a cancelled waiter and returns its continuation (or remembers the cancellation if the
    /// waiter has not been added yet).
    mutating func cancelWaiter(id: Int) -> (Continuation, KafkaDeliveryCounts)? {
        if let waiter = waiters.removeValue(forKey: id) {
            return (waiter.continuation, counts)
        }
        cancelled.insert(id)
        return nil
    }

    /// Waiters to resume now: all of them when nothing is pending, otherwise those past their deadline.
    mutating func tick(now: ContinuousClock.Instant) -> [(Continuation, KafkaDeliveryCounts)] {
        guard !waiters.isEmpty else { return [] }
        var ready: [(Continuation, KafkaDeliveryCounts)] = []
        for (id, waiter) in waiters where counts.pending <= 0 || waiter.deadline <= now {
            ready.append((waiter.continuation, counts))
            waiters[id] = nil
        }
        return ready
    }
}
