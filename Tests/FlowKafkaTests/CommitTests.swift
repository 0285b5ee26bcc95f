import Testing

@testable import FlowKafka

extension KafkaIntegrationTests {
    @Suite struct Commit {
        @Test func committedRecordsAreNotDeliveredToTheNextMember() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("commit")
            let group = TestBroker.uniqueName("group")
            try await TestBroker.produce(100, to: topic, brokers: brokers, prefix: "old")

            let first = try await KafkaConsumer(
                brokers: brokers, groupID: group, topics: [topic], start: .earliest, config: TestBroker.fastGroup)
            let old = try await TestBroker.readUntil(try await first.highWatermarks(), from: first)
            #expect(old.count == 100)
            try await first.commit(old)
            try await first.close(deadline: .now + .seconds(10))

            let second = try await KafkaConsumer(
                brokers: brokers, groupID: group, topics: [topic], start: .earliest, config: TestBroker.fastGroup)
            let watermarks = try await second.highWatermarks()
            #expect(watermarks.values.reduce(0, +) == 100)
            try await TestBroker.produce(5, to: topic, brokers: brokers, prefix: "new")
            var received: [KafkaConsumerMessage] = []
            let deadline = ContinuousClock.now + .seconds(20)
            while received.count < 5 && ContinuousClock.now < deadline {
                received += try await second.poll(timeout: .milliseconds(500))
            }
            received += try await second.poll(timeout: .milliseconds(500))  // nothing else may follow
            try await second.close(deadline: .now + .seconds(10))
            #expect(received.map(\.valueString).sorted() == (0..<5).map { "new-\($0)" })
        }

        @Test func uncommittedRecordsAreDeliveredAgainFromTheCommittedOffset() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("redeliver")
            let group = TestBroker.uniqueName("group")
            try await TestBroker.produce(200, to: topic, brokers: brokers, keys: 50)

            let first = try await KafkaConsumer(
                brokers: brokers, groupID: group, topics: [topic], start: .earliest, config: TestBroker.fastGroup)
            let watermarks = try await first.highWatermarks()
            let read = try await TestBroker.readUntil(watermarks, from: first)
            #expect(read.count == 200)
            // Commit only part of each partition: the middle record's offset, exactly.
            var committed: [KafkaTopicPartition: Int64] = [:]
            for (partition, high) in watermarks where high > 0 {
                committed[partition] = high / 2
            }
            try await first.commit(lastProcessed: committed)
            try await first.close(deadline: .now + .seconds(10))

            let second = try await KafkaConsumer(
                brokers: brokers, groupID: group, topics: [topic], start: .latest, config: TestBroker.fastGroup)
            let again = try await TestBroker.readUntil(try await second.highWatermarks(), from: second)
            try await second.close(deadline: .now + .seconds(10))

            let expected = Set(
                read.filter { $0.offset > committed[$0.topicPartition] ?? -1 }.map { "\($0.topicPartition)@\($0.offset)" })
            #expect(Set(again.map { "\($0.topicPartition)@\($0.offset)" }) == expected)
            #expect(again.count == expected.count)
            #expect(again.count < 200 && again.count > 0)
        }

        @Test func startingFromCommittedWithoutACommitIsAnError() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("no-commit")
            try await TestBroker.produce(10, to: topic, brokers: brokers)
            let consumer = try await KafkaConsumer(
                brokers: brokers, groupID: TestBroker.uniqueName("group"), topics: [topic], start: .committed,
                config: TestBroker.fastGroup)
            let error = await #expect(throws: KafkaError.self) {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    let messages = try await consumer.poll(timeout: .milliseconds(500))
                    #expect(messages.isEmpty)
                }
            }
            #expect(error?.isRetryable == false)
            #expect(error?.name == "_AUTO_OFFSET_RESET", "\(String(describing: error))")
            try await consumer.close(deadline: .now + .seconds(10))
        }
    }
}
