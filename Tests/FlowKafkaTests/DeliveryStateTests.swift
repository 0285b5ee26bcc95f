import Synchronization
import Testing

@testable import FlowKafka

/// The producer's delivery state machine, without a broker.
@Suite struct DeliveryStateTests {
    @Test func countsDeliveredFailedAndTheFirstError() {
        var state = DeliveryState()
        state.report(delivered: 1, failed: 1, firstError: KafkaError.timeout("first", operation: "a"))
        #expect(state.counts(sent: 3).pending == 1)
        state.report(delivered: 0, failed: 1, firstError: KafkaError.timeout("second", operation: "b"))
        let counts = state.counts(sent: 3)
        #expect(counts.sent == 3)
        #expect(counts.delivered == 1)
        #expect(counts.failed == 2)
        #expect(counts.pending == 0)
        #expect(counts.firstError?.operation == "a")
        #expect(counts.firstError?.isRetryable == true)
    }

    @Test func waitersResumeWhenNothingIsPendingOrAtTheirDeadline() async {
        let now = ContinuousClock.now
        let results = await withTaskGroup(of: KafkaDeliveryCounts.self) { group in
            let box = StateBox()
            for deadline in [now + .seconds(1), now + .seconds(100)] {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let immediate = box.withState {
                            $0.addWaiter(
                                id: $0.makeWaiterID(), deadline: deadline, now: now, sent: 2, continuation: continuation)
                        }
                        #expect(immediate == nil)
                    }
                }
            }
            // Wait until both waiters are registered: a tick past the first deadline resumes one.
            var resumed: [KafkaDeliveryCounts] = []
            while resumed.isEmpty {
                await Task.yield()
                for (continuation, counts) in box.withState({ $0.tick(now: now + .seconds(2), sent: 2) }) {
                    continuation.resume(returning: counts)
                    resumed.append(counts)
                }
            }
            #expect(resumed.count == 1)
            #expect(box.withState { $0.tick(now: now + .seconds(3), sent: 2) }.isEmpty)
            box.withState { $0.report(delivered: 2, failed: 0, firstError: nil) }
            for (continuation, counts) in box.withState({ $0.tick(now: now + .seconds(3), sent: 2) }) {
                continuation.resume(returning: counts)
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.map(\.pending).sorted() == [0, 2])
    }

    @Test func flushReturnsAtOnceWhenNothingIsPendingOrTheWaiterWasCancelled() async {
        var state = DeliveryState()
        let now = ContinuousClock.now
        let counts = await withCheckedContinuation { continuation in
            let result = state.addWaiter(
                id: state.makeWaiterID(), deadline: now + .seconds(5), now: now, sent: 0, continuation: continuation)
            continuation.resume(returning: result!)
        }
        #expect(counts.pending == 0)
        let id = state.makeWaiterID()
        #expect(state.cancelWaiter(id: id, sent: 1) == nil)
        let cancelled = await withCheckedContinuation { continuation in
            let result = state.addWaiter(id: id, deadline: now + .seconds(5), now: now, sent: 1, continuation: continuation)
            continuation.resume(returning: result!)
        }
        #expect(cancelled.pending == 1)
    }

    @Test func closingHandsBackEveryWaiter() async {
        let now = ContinuousClock.now
        let box = StateBox()
        let counts = await withCheckedContinuation { continuation in
            let immediate = box.withState {
                $0.addWaiter(id: $0.makeWaiterID(), deadline: now + .seconds(100), now: now, sent: 5, continuation: continuation)
            }
            #expect(immediate == nil)
            let all = box.withState { $0.removeAllWaiters(sent: 5) }
            #expect(all.count == 1)
            for (waiter, counts) in all { waiter.resume(returning: counts) }
        }
        #expect(counts.pending == 5)
        #expect(box.withState { $0.tick(now: now + .seconds(200), sent: 5) }.isEmpty)
    }

    @Test func sensitivePropertiesAreMasked() {
        let text = KafkaConfig.redactedDescription([
            "sasl.username": "u", "sasl.password": "p", "ssl.keystore.password": "k", "client.secret": "s",
            "acks": "all",
        ])
        #expect(text == "[acks=all, client.secret=***, sasl.password=***, sasl.username=***, ssl.keystore.password=***]")
    }
}

/// A `DeliveryState` shared between test tasks, behind a Mutex as in the producer.
private final class StateBox: Sendable {
    private let mutex = Mutex(DeliveryState())
    func withState<T>(_ body: (inout DeliveryState) -> T) -> T {
        mutex.withLock { body(&$0) }
    }
}
