import Testing

@testable import FlowKafka

extension KafkaIntegrationTests {
    @Suite struct ProduceConsume {
        @Test func tenThousandKeyedRecordsComeBackExactlyOnceInKeyOrder() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("produce-consume")
            let count = 10_000
            let keys = 37

            let producer = try await KafkaProducer(brokers: brokers)
            var batch: [KafkaProducerRecord] = []
            for index in 0..<count {
                batch.append(
                    KafkaProducerRecord(
                        topic: topic, key: Array("key-\(index % keys)".utf8), value: Array("\(index)".utf8),
                        headers: [("seq", Array("\(index)".utf8)), ("empty", [])]))
            }
            try await producer.send(batch[..<5_000])
            for record in batch[5_000...] {
                try await producer.send(
                    topic: record.topic, key: record.key, value: record.value, headers: record.headers)
            }
            let counts = await producer.flush(deadline: .now + .seconds(60))
            #expect(counts.sent == count)
            #expect(counts.delivered == count)
            #expect(counts.failed == 0)
            #expect(counts.pending == 0)
            #expect(counts.firstError == nil)
            await producer.close(deadline: .now + .seconds(5))

            let consumer = try await KafkaConsumer(
                brokers: brokers, groupID: TestBroker.uniqueName("group"), topics: [topic], start: .earliest,
                config: TestBroker.fastGroup)
            let watermarks = try await consumer.highWatermarks()
            #expect(watermarks.count == 4)  // tansu auto-creates topics with 4 partitions
            #expect(watermarks.values.reduce(0, +) == Int64(count))
            let messages = try await TestBroker.readUntil(watermarks, from: consumer)
            try await consumer.close(deadline: .now + .seconds(10))

            #expect(messages.count == count)
            #expect(Set(messages.map(\.valueString)).count == count)
            var lastByKey: [String: (partition: Int32, index: Int)] = [:]
            for message in messages {
                let index = try #require(Int(message.valueString))
                #expect(message.keyString == "key-\(index % keys)")
                #expect(message.topic == topic)
                #expect(message.timestamp != nil)
                #expect(message.headers.map(\.0) == ["seq", "empty"])
                #expect(message.headers.first?.1 == Array("\(index)".utf8))
                #expect(message.headers.last?.1 == [])
                if let last = lastByKey[message.keyString] {
                    #expect(last.partition == message.partition, "a key's records share one partition")
                    #expect(last.index < index, "same-key records arrive in send order")
                }
                lastByKey[message.keyString] = (message.partition, index)
            }
            #expect(lastByKey.count == keys)
        }

        @Test func explicitPartitionNullKeyAndEmptyValue() async throws {
            let brokers = try TestBroker.brokers()
            let topic = TestBroker.uniqueName("explicit-partition")
            let producer = try await KafkaProducer(brokers: brokers)
            try await producer.send(topic: topic, partition: 2, key: nil, value: [])
            try await producer.send(topic: topic, partition: 2, key: [], value: [1, 2, 3])
            let counts = await producer.close(deadline: .now + .seconds(30))
            #expect(counts.delivered == 2)

            let consumer = try await KafkaConsumer(
                brokers: brokers, groupID: TestBroker.uniqueName("group"), topics: [topic], start: .earliest,
                config: TestBroker.fastGroup)
            let messages = try await TestBroker.readUntil(try await consumer.highWatermarks(), from: consumer)
            try await consumer.close(deadline: .now + .seconds(10))
            try #require(messages.count == 2)
            #expect(messages.allSatisfy { $0.partition == 2 })
            #expect(messages[0].key == nil)
            #expect(messages[0].value == [])
            #expect(messages[1].key == [])
            #expect(messages[1].value == [1, 2, 3])
        }
    }
}
