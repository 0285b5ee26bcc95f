import Foundation
import Testing

/// `flow validate` on Kafka nodes: fields are checked without connecting, and secrets never print.
@Suite struct KafkaValidateTests {
    @Test func validatesKafkaNodesWithoutConnectingAndMasksSecretProperties() {
        let dir = TempDir()
        defer { dir.remove() }
        // Nothing listens on port 1: validation must not try.
        let file = dir.write("kafka.yaml", """
            nodes:
              events:
                type: kafka_consume
                brokers: 127.0.0.1:1
                topics: [orders]
                group: export
                until: end
                config: { sasl.password: hunter22-secret }
              publish:
                type: kafka_produce
                input: events
                brokers: 127.0.0.1:1
                topic: copies
                key: key
                config: { sasl.password: hunter22-secret, linger.ms: 5 }
            """)
        let started = Date()
        let valid = FlowBinary.run(["validate", file, "--plan"])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(Date().timeIntervalSince(started) < 2)
        #expect(valid.stdout.contains("\(file): valid (2 nodes, 2 stages)"), "\(valid.stdout)")
        #expect(!valid.stdout.contains("hunter22"), "\(valid.stdout)")
        #expect(valid.stdout.contains("\"linger.ms\":5"), "\(valid.stdout)")

        let bad = dir.write("bad.yaml", """
            nodes:
              events: { type: kafka_consume, brokers: 127.0.0.1:1, topics: orders, group: export, value: xml }
            """)
        let invalid = FlowBinary.run(["validate", bad])
        #expect(invalid.status == 2)
        #expect(invalid.stderr.contains("must be one of `json`, `string`, `bytes`, found `xml`"), "\(invalid.stderr)")

        let endless = dir.write("endless.yaml", """
            nodes:
              events: { type: kafka_consume, brokers: 127.0.0.1:1, topics: orders, group: export }
            """)
        let rejected = FlowBinary.run(["validate", endless])
        #expect(rejected.status == 2)
        #expect(rejected.stderr.contains("no stop rule"), "\(rejected.stderr)")
    }
}
