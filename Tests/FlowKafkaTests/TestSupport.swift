import FlowTestSupport
import Foundation
import Testing

@testable import FlowKafka

/// Every test that talks to the broker lives in a suite nested in this one, so they run one at a time
/// (the broker-restart test would otherwise disturb the others).
@Suite(.serialized) struct KafkaIntegrationTests {}

enum TestBroker {
    /// The broker address from the environment; a missing variable fails the test with instructions.
    static func brokers() throws -> String {
        let brokers = ProcessInfo.processInfo.environment["FLOW_TEST_KAFKA_BROKERS"] ?? ""
        try #require(
            !brokers.isEmpty,
            """
            FLOW_TEST_KAFKA_BROKERS is not set. Start the test broker and load its environment:
                scripts/services/kafka.sh start && source ${FLOW_SERVICES_DIR:-/tmp/flow-services}/kafka.env
            """)
        try #require(
            KafkaLibrary.versionNumber >= 0x0202_0000,
            """
            librdkafka \(KafkaLibrary.version) is loaded, but the tansu test broker needs >= 2.2. \
            Source ${FLOW_SERVICES_DIR:-/tmp/flow-services}/kafka.env, which puts a newer librdkafka on LD_LIBRARY_PATH.
            """)
        return brokers
    }

    /// A name no earlier test run used (the broker keeps topics and groups until it restarts).
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt64(Date().timeIntervalSince1970 * 1000))-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Consumer properties for quick group joins (tansu waits half the session timeout on a join).
    static let fastGroup = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "500"]

    /// Polls until every partition reached its watermark; returns everything read.
    static func readUntil(
        _ watermarks: [KafkaTopicPartition: Int64], from consumer: KafkaConsumer, timeout: Duration = .seconds(30)
    ) async throws -> [KafkaConsumerMessage] {
        var next: [KafkaTopicPartition: Int64] = [:]
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + timeout
        func done() -> Bool {
            watermarks.allSatisfy { partition, high in high == 0 || (next[partition] ?? 0) >= high }
        }
        while !done() {
            try #require(ContinuousClock.now < deadline, "read \(messages.count) records, watermarks \(watermarks)")
            for message in try await consumer.poll(maxMessages: 1000, timeout: .milliseconds(500)) {
                messages.append(message)
                next[message.topicPartition] = message.offset + 1
            }
        }
        return messages
    }

    /// Produces `count` records "<prefix>-<i>" keyed by `i % keys` and waits for every delivery.
    static func produce(
        _ count: Int, to topic: String, brokers: String, prefix: String = "r", keys: Int = 10
    ) async throws {
        let producer = try await KafkaProducer(brokers: brokers)
        for index in 0..<count {
            try await producer.send(
                topic: topic, key: Array("k\(index % keys)".utf8), value: Array("\(prefix)-\(index)".utf8))
        }
        let counts = await producer.close(deadline: .now + .seconds(30))
        try #require(counts.delivered == count, "delivery: \(counts)")
    }
}

extension KafkaConsumerMessage {
    var valueString: String { String(decoding: value ?? [], as: UTF8.self) }
    var keyString: String { String(decoding: key ?? [], as: UTF8.self) }
}
