import Testing

@testable import FlowKafka

extension KafkaIntegrationTests {
    @Suite struct Cancellation {
        @Test func cancellingAPollEndsItsWaitPromptly() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("cancel")
            try await TestBroker.produce(1, to: topic, brokers: brokers)
            let consumer = try await KafkaConsumer(
                brokers: brokers, groupID: TestBroker.uniqueName("group"), topics: [topic], start: .latest,
                config: TestBroker.fastGroup)
            _ = try await consumer.highWatermarks()  // joined; nothing new will arrive

            let start = ContinuousClock.now
            let poll = Task { try await consumer.poll(timeout: .seconds(30)) }
            try await Task.sleep(for: .milliseconds(300))
            poll.cancel()
            let messages = try await poll.value
            #expect(messages.isEmpty)
            #expect(ContinuousClock.now - start < .seconds(3))

            // The consumer still works after a cancelled poll, and closing twice is harmless.
            #expect(try await consumer.poll(timeout: .milliseconds(100)).isEmpty)
            try await consumer.close(deadline: .now + .seconds(10))
            try await consumer.close(deadline: .now + .seconds(10))
            await #expect(throws: KafkaError.self) { try await consumer.poll() }
        }

        @Test func sendAfterCloseThrowsAndFlushWithNothingPendingReturnsAtOnce() async throws {
            let brokers = try TestBroker.brokers()
            let producer = try await KafkaProducer(brokers: brokers)
            let empty = await producer.flush(deadline: .now + .seconds(30))
            #expect(empty == KafkaDeliveryCounts())
            await producer.close(deadline: .now + .seconds(5))
            let error = await #expect(throws: KafkaError.self) {
                try await producer.send(topic: "never", value: [1])
            }
            #expect(error?.name == "CLOSED")
            #expect(producer.deliveryCounts.sent == 0)
        }
    }
}
