import Synchronization
import Testing

@testable import FlowKafka

/// The producer's delivery state machine, without a broker.
@Suite struct DeliveryStateTests {
    @Test func countsSentDeliveredFailedAndTheFirstError() {
        var state = DeliveryState()
        state.willSend(3)
        state.notSent(1)
        state.reportDelivered()
        #expect(state.counts.pending == 1)
        state.reportFailed(KafkaError.timeout("first", operation: "a"))
        state.willSend(1)
        state.reportFailed(KafkaError.timeout("second", operation: "b"))
        #expect(state.counts.sent == 3)
        #expect(state.counts.delivered == 1)
        #expect(state.counts.failed == 2)
        #expect(state.counts.pending == 0)
        #expect(state.counts.firstError?.operation == "a")
        #expect(state.counts.firstError?.isRetryable == true)
    }

    @Test func waitersResumeWhenNothingIsPendingOrAtTheirDeadline() async {
        let now = ContinuousClock.now
        let results = await withTaskGroup(of: KafkaDeliveryCounts.self) { group in
            let box = StateBox()
            box.withState { $0.willSend(2) }
            for deadline in [now + .seconds(1), now + .seconds(100)] {
                group.addTask {
                    await withCheckedContinuation { continuation in
                        let id = box.withState { $0.makeWaiterID() }
                        let immediate = box.withState {
                            $0.addWaiter(id: id, deadline: deadline, now: now, continuation: continuation)
                        }
                        #expect(immediate == nil)
                    }
                }
            }
            // Wait until both waiters are registered: a tick past the first deadline resumes one.
            var resumed: [KafkaDeliveryCounts] = []
            while resumed.isEmpty {
                await Task.yield()
                for (continuation, counts) in box.withState({ $0.tick(now: now + .seconds(2)) }) {
                    continuation.resume(returning: counts)
                    resumed.append(counts)
                }
            }
            #expect(resumed.count == 1)
            #expect(box.withState { $0.tick(now: now + .seconds(3)) }.isEmpty)
            box.withState {
                $0.reportDelivered()
                $0.reportDelivered()
            }
            for (continuation, counts) in box.withState({ $0.tick(now: now + .seconds(3)) }) {
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
            let result = state.addWaiter(id: state.makeWaiterID(), deadline: now + .seconds(5), now: now, continuation: continuation)
            continuation.resume(returning: result!)
        }
        #expect(counts.pending == 0)
        state.willSend(1)
        let id = state.makeWaiterID()
        #expect(state.cancelWaiter(id: id) == nil)
        let cancelled = await withCheckedContinuation { continuation in
            let result = state.addWaiter(id: id, deadline: now + .seconds(5), now: now, continuation: continuation)
            continuation.resume(returning: result!)
        }
        #expect(cancelled.pending == 1)
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
