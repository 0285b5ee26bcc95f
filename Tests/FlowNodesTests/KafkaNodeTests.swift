import FlowTestSupport
import FlowCore
import FlowJSON
import FlowKafka
import Foundation
import Testing

/// `kafka_produce` and `kafka_consume` against the real test broker. One `.serialized` suite,
/// because one test restarts the broker.
@Suite(.serialized) struct KafkaNodeTests {
    // MARK: Round trip, ordering, commit and resume

    @Test func tenThousandKeyedRecordsComeBackOncePerKeyInOrderAndAreNotReadTwice() async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-roundtrip")
        let group = KafkaTestBroker.uniqueName("g")
        let count = 10_000
        KafkaTestBroker.writeRecords(count, to: "\(dir)/in.ndjson")

        let produced = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: in.ndjson }
              out:
                type: kafka_produce
                input: src
                brokers: \(brokers)
                topic: \(topic)
                key: k
                headers: { source: test }
                compression: lz4
                config: { linger.ms: 5 }
            """, buckets: [], file: "\(dir)/produce.yaml")
        #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "\(produced.diagnostics)")")
        #expect(produced.node("out")?.metrics["messages_delivered"] == count)
        #expect(produced.node("out")?.metrics["messages_failed"] == 0)

        let consume = KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-1")
        let first = await WorkflowHarness.run(consume, buckets: ["\(group)-1"], file: "\(dir)/consume.yaml")
        #expect(first.result?.status == .succeeded, "\(first.result?.error ?? "\(first.diagnostics)")")
        let records = first.collected["\(group)-1"] ?? []
        #expect(records.count == count)
        #expect(Set(records.compactMap { $0["value"]?["n"]?.intValue }) == Set(0..<count))
        #expect(first.node("src")?.metrics["partitions_committed"] ?? 0 > 0)

        // Each key lands in one partition, and within it in the order it was produced.
        var partitionOfKey: [String: Int] = [:]
        var lastOfKey: [String: (offset: Int, n: Int)] = [:]
        let sorted = records.sorted {
            ($0["partition"]?.intValue ?? 0, $0["offset"]?.intValue ?? 0)
                < ($1["partition"]?.intValue ?? 0, $1["offset"]?.intValue ?? 0)
        }
        var outOfOrder = 0
        for record in sorted {
            guard let key = record["key"]?.stringValue, let partition = record["partition"]?.intValue,
                let offset = record["offset"]?.intValue, let n = record["value"]?["n"]?.intValue
            else {
                Issue.record("incomplete record \(record.serialized())")
                continue
            }
            #expect(partitionOfKey[key, default: partition] == partition, "key \(key) in two partitions")
            partitionOfKey[key] = partition
            if let last = lastOfKey[key], last.n >= n { outOfOrder += 1 }
            lastOfKey[key] = (offset, n)
            #expect(record["value"]?["k"]?.stringValue == key)
        }
        #expect(outOfOrder == 0)
        #expect(partitionOfKey.count == 37)
        #expect(records.first?["topic"]?.stringValue == topic)
        #expect(records.first?["headers"]?["source"] == "test")
        #expect(records.first?["timestamp"]?.intValue ?? 0 > 1_600_000_000_000)

        // Same group again: everything was committed, nothing old comes back (and the run ends).
        let started = ContinuousClock.now
        let again = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-2"),
            buckets: ["\(group)-2"], file: "\(dir)/consume.yaml")
        #expect(again.result?.status == .succeeded, "\(again.result?.error ?? "")")
        #expect(again.collected["\(group)-2"]?.count == 0)
        #expect(ContinuousClock.now - started < .seconds(20))

        // Only new records come after that.
        KafkaTestBroker.writeRecords(5, to: "\(dir)/more.ndjson", from: count)
        let more = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: more.ndjson }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), key: k }
            """, buckets: [], file: "\(dir)/more.yaml")
        #expect(more.result?.status == .succeeded, "\(more.result?.error ?? "")")
        let third = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-3"),
            buckets: ["\(group)-3"], file: "\(dir)/consume.yaml")
        #expect(third.result?.status == .succeeded, "\(third.result?.error ?? "")")
        #expect(Set((third.collected["\(group)-3"] ?? []).compactMap { $0["value"]?["n"]?.intValue }) == Set(count..<count + 5))
    }

    /// A `key` that is a plain field path is read from the NDJSON line's bytes when the record is
    /// not parsed: the keys must be exactly those of the parsed path.
    @Test(arguments: ["k", "o.id"])
    func keysReadFromTextEqualKeysOfParsedRecords(key: String) async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let lines = [
            #"{"k": "plain", "o": {"id": "inner"}}"#, #"{"o": {"id": 1.50}, "k": 1.50}"#, #"{"k": {"b": 1, "a": [2]}, "o": {"id": {"z": null}}}"#,
            #"{"k": null, "o": {"id": null}}"#, #"{"n": 4, "o": {}}"#, #"{"k": [1, "x"], "o": [{"id": 1}, {"id": 2}]}"#,
            #"[{"k": "in an array", "o": {"id": 6}}]"#, #"{"k": true, "o": "not an object"}"#, #"{"k": "caf\u00e9", "o": {"i\u0064": "esc"}}"#,
            #"{"k": "first", "k": "last", "o": {"id": "a", "id": "b"}}"#, #"{"k": -0, "o": {"id": [3]}}"#,
        ]
        FileManager.default.createFile(atPath: "\(dir)/in.ndjson", contents: Data((lines.joined(separator: "\n") + "\n").utf8))
        var keys: [[JSON?]] = []
        for parsed in [false, true] {
            let topic = KafkaTestBroker.uniqueName(parsed ? "keys-parsed" : "keys-text")
            let produced = await WorkflowHarness.run(
                """
                nodes:
                  src: { type: file_input, path: in.ndjson }
                \(parsed ? "  mid: { type: transform, input: src, filter: \"$exists($)\" }" : "")
                  out: { type: kafka_produce, input: \(parsed ? "mid" : "src"), brokers: \(brokers), topic: \(topic), key: \(key), partition: 0 }
                """, buckets: [], file: "\(dir)/produce.yaml")
            #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "\(produced.diagnostics)")")
            let group = KafkaTestBroker.uniqueName("g")
            let consumed = await WorkflowHarness.run(
                KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: group),
                buckets: [group], file: "\(dir)/consume.yaml")
            let records = (consumed.collected[group] ?? []).sorted { ($0["offset"]?.intValue ?? 0) < ($1["offset"]?.intValue ?? 0) }
            #expect(records.count == lines.count)
            keys.append(records.map { $0["key"] })
        }
        #expect(keys[0] == keys[1])
        #expect(keys[0].count == lines.count)
        if key == "k", keys[0].count == lines.count {
            #expect(keys[0][0] == .string("plain") && keys[0][1] == .string("1.5") && keys[0][8] == .string("café") && keys[0][9] == .string("last"))
        }
        if key == "o.id", keys[0].count == lines.count {
            #expect(keys[0][0] == .string("inner") && keys[0][1] == .string("1.5") && keys[0][8] == .string("esc") && keys[0][9] == .string("b"))
        }
    }

    // MARK: A failing downstream node leaves offsets uncommitted

    @Test func aFailingSinkLeavesOffsetsUncommittedAndTheNextRunGetsTheSameRecords() async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-redeliver")
        let group = KafkaTestBroker.uniqueName("g")
        KafkaTestBroker.writeRecords(50, to: "\(dir)/in.ndjson")
        let produced = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), key: k }
            """, buckets: [], file: "\(dir)/produce.yaml")
        #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "")")

        // json_extract fails on the first record: the field it requires does not exist.
        let failing = await WorkflowHarness.run(
            """
            nodes:
              src:
                type: kafka_consume
                brokers: \(brokers)
                topics: \(topic)
                group: \(group)
                until: end
                config: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
              check:
                type: json_extract
                input: src
                fields: { missing: { path: $.value.nope, missing: error } }
            """, buckets: [], file: "\(dir)/failing.yaml")
        #expect(failing.result?.status == .failed)
        #expect(failing.node("check")?.status == .failed)
        #expect(failing.node("src")?.metrics["partitions_committed"] == nil)

        let second = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-2"),
            buckets: ["\(group)-2"], file: "\(dir)/consume.yaml")
        #expect(second.result?.status == .succeeded, "\(second.result?.error ?? "")")
        #expect(Set((second.collected["\(group)-2"] ?? []).compactMap { $0["value"]?["n"]?.intValue }) == Set(0..<50))
    }

    // MARK: follow: true

    @Test func followingCommitsAtCheckpointsWhatEveryDownstreamNodeProcessed() async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-follow")
        let group = KafkaTestBroker.uniqueName("g")
        KafkaTestBroker.writeRecords(20, to: "\(dir)/in.ndjson")
        let produced = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), key: k }
            """, buckets: [], file: "\(dir)/produce.yaml")
        #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "")")

        // The node timeout stands in for an interrupt; the group join takes about 3 s, so several
        // checkpoints pass after the 20 records before it. Fan-out: both sinks must process them.
        let following = await WorkflowHarness.run(
            """
            nodes:
              src:
                type: kafka_consume
                brokers: \(brokers)
                topics: \(topic)
                group: \(group)
                follow: true
                checkpoint_interval: 500ms
                timeout: 8s
                config: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
              out: { type: test_collector, input: src, bucket: \(group)-1 }
              file: { type: file_output, input: src, path: out.ndjson, mode: append }
            """, buckets: ["\(group)-1"], file: "\(dir)/follow.yaml")
        #expect(following.node("src")?.error?.contains("timed out") == true, "\(following.node("src")?.error ?? "")")
        #expect(following.collected["\(group)-1"]?.count == 20)
        #expect((following.node("src")?.metrics["checkpoints_committed"] ?? 0) >= 1)
        let lines = (try? String(contentsOfFile: "\(dir)/out.ndjson", encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(lines.count == 20)

        // The same group resumes after the committed offsets: nothing old is delivered again.
        KafkaTestBroker.writeRecords(3, to: "\(dir)/more.ndjson", from: 100)
        let more = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: more.ndjson }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), key: k }
            """, buckets: [], file: "\(dir)/produce-more.yaml")
        #expect(more.result?.status == .succeeded, "\(more.result?.error ?? "")")
        let bounded = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-2"),
            buckets: ["\(group)-2"], file: "\(dir)/consume.yaml")
        #expect(bounded.result?.status == .succeeded, "\(bounded.result?.error ?? "")")
        #expect(Set((bounded.collected["\(group)-2"] ?? []).compactMap { $0["value"]?["n"]?.intValue }) == [100, 101, 102])
    }

    @Test func aFollowingRunWhoseSinkFailsBeforeACheckpointCommitsNothing() async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-follow-fail")
        let group = KafkaTestBroker.uniqueName("g")
        KafkaTestBroker.writeRecords(20, to: "\(dir)/in.ndjson")
        let produced = await WorkflowHarness.run(
            """
            nodes:
              src: { type: file_input, path: in.ndjson }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), key: k }
            """, buckets: [], file: "\(dir)/produce.yaml")
        #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "")")

        // json_extract fails on the first record, before any checkpoint can pass it.
        let following = await WorkflowHarness.run(
            """
            nodes:
              src:
                type: kafka_consume
                brokers: \(brokers)
                topics: \(topic)
                group: \(group)
                follow: true
                checkpoint_interval: 200ms
                timeout: 20s
                config: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
              check:
                type: json_extract
                input: src
                fields: { missing: { path: $.value.nope, missing: error } }
            """, buckets: [], file: "\(dir)/follow.yaml")
        #expect(following.result?.status == .failed)
        #expect(following.node("check")?.status == .failed)
        #expect(following.node("src")?.metrics["checkpoints_committed"] == nil)

        let bounded = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-2"),
            buckets: ["\(group)-2"], file: "\(dir)/consume.yaml")
        #expect(bounded.result?.status == .succeeded, "\(bounded.result?.error ?? "")")
        #expect(Set((bounded.collected["\(group)-2"] ?? []).compactMap { $0["value"]?["n"]?.intValue }) == Set(0..<20))
    }

    // MARK: Values that are not JSON

    @Test func aValueThatIsNotJSONFailsNamingTopicPartitionAndOffset() async throws {
        let brokers = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-text")
        let group = KafkaTestBroker.uniqueName("g")
        let produced = await WorkflowHarness.run(
            """
            nodes:
              src: { type: inline, records: [{ text: "not json {" }] }
              out: { type: kafka_produce, input: src, brokers: \(brokers), topic: \(topic), value: text, partition: 2 }
            """, buckets: [], file: "\(dir)/produce.yaml")
        #expect(produced.result?.status == .succeeded, "\(produced.result?.error ?? "")")
        let consumed = await WorkflowHarness.run(
            KafkaTestBroker.consumeWorkflow(brokers: brokers, topic: topic, group: group, bucket: "\(group)-1"),
            buckets: ["\(group)-1"], file: "\(dir)/consume.yaml")
        #expect(consumed.result?.status == .failed)
        let error = consumed.node("src")?.error ?? ""
        #expect(error.contains("\(topic)[2] offset 0 is not JSON"), "\(error)")
        #expect(error.contains("value: string"), "\(error)")
    }

    // MARK: Broker restart during a produce

    @Test func restartingTheBrokerDuringAProduceLosesNothingSilently() async throws {
        _ = try KafkaTestBroker.brokers()
        let broker = try await PrivateBroker.start()
        let brokers = broker.brokers
        let dir = KafkaTestBroker.scratch()
        let topic = KafkaTestBroker.uniqueName("nodes-restart")
        let count = 400_000
        KafkaTestBroker.writeRecords(count, to: "\(dir)/in.ndjson")
        let workflow = """
            nodes:
              src: { type: file_input, path: in.ndjson }
              out:
                type: kafka_produce
                input: src
                brokers: \(brokers)
                topic: \(topic)
                key: k
                flush_timeout: 30s
                config: { message.timeout.ms: 10000, linger.ms: 5 }
            """
        let started = ContinuousClock.now
        let (outcome, produceEnded, restartBegan) = try await withThrowingTaskGroup(
            of: (WorkflowHarness.Outcome?, ContinuousClock.Instant).self
        ) { group in
            group.addTask {
                let outcome = await WorkflowHarness.run(workflow, buckets: [], file: "\(dir)/produce.yaml")
                return (outcome, .now)
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(500))
                let began = ContinuousClock.now
                try await broker.restart()
                return (nil, began)
            }
            var outcome: WorkflowHarness.Outcome?
            var ended = ContinuousClock.now
            var began = ContinuousClock.now
            for try await (result, instant) in group {
                if let result {
                    outcome = result
                    ended = instant
                } else {
                    began = instant
                }
            }
            return (outcome!, ended, began)
        }
        await broker.stop()
        print("broker restart began \(restartBegan - started) after the produce started; the produce ended after \(produceEnded - started)")
        #expect(produceEnded > restartBegan, "the restart must happen while the node is producing")
        let node = try #require(outcome.node("out"))
        let sent = node.metrics["messages_sent"] ?? -1
        let delivered = node.metrics["messages_delivered"] ?? -1
        let failed = node.metrics["messages_failed"] ?? -1
        print("kafka_produce across a broker restart: \(node.status), sent \(sent), delivered \(delivered), failed \(failed), error: \(node.error ?? "none")")
        #expect(delivered + failed == sent, "every accepted message is delivered or counted failed")
        if node.status == .succeeded {
            #expect(delivered == count && failed == 0)
        } else {
            #expect(node.status == .failed)
            // Loud: the error says how many failed out of how many.
            #expect(node.error?.contains("of \(sent) messages failed") == true, "\(node.error ?? "")")
        }
    }

    // MARK: Wrong address

    @Test func aBadBrokerAddressFailsClearlyWithinTheConnectTimeout() async throws {
        _ = try KafkaTestBroker.brokers()
        let dir = KafkaTestBroker.scratch()
        let started = ContinuousClock.now
        // Two workflows: in one, the first failure would cancel the other node.
        async let produce = WorkflowHarness.run(
            """
            nodes:
              src: { type: inline, records: [{ a: 1 }] }
              out: { type: kafka_produce, input: src, brokers: 127.0.0.1:1, topic: t, connect_timeout: 2s }
            """, buckets: [], file: "\(dir)/bad-produce.yaml")
        async let consume = WorkflowHarness.run(
            """
            nodes:
              in: { type: kafka_consume, brokers: 127.0.0.1:1, topics: t, group: g, until: end, connect_timeout: 2s }
            """, buckets: [], file: "\(dir)/bad-consume.yaml")
        let outcomes = await [("out", produce), ("in", consume)]
        #expect(ContinuousClock.now - started < .seconds(8))
        for (id, outcome) in outcomes {
            let node = try #require(outcome.node(id), "\(outcome.diagnostics)")
            #expect(node.status == .failed)
            let error = node.error ?? ""
            #expect(error.contains("cannot start a Kafka"), "\(error)")
            #expect(error.contains("CONNECTION"), "\(error)")
            #expect(error.contains("127.0.0.1:1"), "\(error)")
        }
    }
}

/// Checks done by `flow validate`: no broker needed.
@Suite struct KafkaNodeValidationTests {
    func messages(_ yaml: String) -> String {
        WorkflowHarness.validate(yaml).items
            .map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0) \($0.message) \($0.hint ?? "")" }
            .joined(separator: "\n")
    }

    @Test func aConsumerWithoutAStopRuleIsRejected() {
        let text = messages(
            """
            nodes:
              src: { type: kafka_consume, brokers: "localhost:9092", topics: t, group: g }
            """)
        #expect(text.contains("no stop rule"), "\(text)")
        #expect(text.contains("until: end"), "\(text)")
    }

    @Test func followCannotBeCombinedWithAStopRule() {
        let text = messages(
            """
            nodes:
              src: { type: kafka_consume, brokers: "localhost:9092", topics: t, group: g, follow: true, max_messages: 5 }
            """)
        #expect(text.contains("cannot be combined with `max_messages`"), "\(text)")
    }

    @Test func followRejectsSinksThatCannotAcknowledgeCheckpoints() {
        let text = messages(
            """
            nodes:
              src: { type: kafka_consume, brokers: "localhost:9092", topics: t, group: g, follow: true }
              file: { type: file_output, input: src, path: out.ndjson }
              db: { type: jdbc_output, input: src, url: "sqlite:out.db", table: t }
              ok: { type: file_output, input: src, path: ok.ndjson, mode: append }
            """)
        #expect(text.contains("node `file` (file_output) cannot acknowledge the checkpoints of `src`"), "\(text)")
        #expect(text.contains("`mode: overwrite` writes the file only when the node finishes"), "\(text)")
        #expect(text.contains("node `db` (jdbc_output) cannot acknowledge"), "\(text)")
        #expect(text.contains("`commit: run` commits only when the run ends"), "\(text)")
        #expect(!text.contains("node `ok`"), "\(text)")
    }

    @Test func checkpointIntervalNeedsFollow() {
        let text = messages(
            """
            nodes:
              src: { type: kafka_consume, brokers: "localhost:9092", topics: t, group: g, until: end, checkpoint_interval: 1s }
            """)
        #expect(text.contains("`checkpoint_interval` applies to `follow: true` only"), "\(text)")
    }

    @Test func aBadKeyExpressionIsReportedWhereItIsWritten() {
        let text = messages(
            """
            nodes:
              src: { type: inline, records: [{ a: 1 }] }
              out:
                type: kafka_produce
                input: src
                brokers: "localhost:9092"
                topic: t
                key: a = = b
            """)
        #expect(text.contains("8:14 invalid expression in `key`"), "\(text)")
    }

    @Test func emptyBrokersAndPropertiesTheNodeSetsAreRejected() {
        let text = messages(
            """
            nodes:
              src: { type: inline, records: [{ a: 1 }] }
              out:
                type: kafka_produce
                input: src
                brokers: ""
                topic: t
                config:
                  bootstrap.servers: x
                  sasl.password: hunter22
            """)
        #expect(text.contains("`brokers` is empty"), "\(text)")
        #expect(text.contains("9:26 node `out` (kafka_produce): `bootstrap.servers` is set by the node use `brokers` instead"), "\(text)")
        #expect(!text.contains("hunter22"))
    }
}

enum KafkaTestBroker {
    /// The broker address from the environment; a missing variable fails the test with instructions.
    static func brokers() throws -> String {
        let brokers = ProcessInfo.processInfo.environment["FLOW_TEST_KAFKA_BROKERS"] ?? ""
        try #require(
            !brokers.isEmpty,
            """
            FLOW_TEST_KAFKA_BROKERS is not set. Start the test broker and load its environment:
                bash scripts/services.sh start kafka && source ${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env
            """)
        try #require(
            KafkaLibrary.versionNumber >= 0x0202_0000,
            """
            librdkafka \(KafkaLibrary.version) is loaded, but the tansu test broker needs >= 2.2. Source \
            ${FLOW_SERVICES_DIR:-/tmp/flow-services}/services.env, which puts a newer librdkafka on LD_LIBRARY_PATH.
            """)
        return brokers
    }

    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt64(Date().timeIntervalSince1970 * 1000))-\(UInt32.random(in: 0...UInt32.max))"
    }

    static func scratch() -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-kafka-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// NDJSON records `{"n": i, "k": "key-<i % 37>", "pad": ...}`.
    static func writeRecords(_ count: Int, to path: String, from first: Int = 0) {
        var text = ""
        text.reserveCapacity(count * 80)
        for n in first..<first + count {
            text += #"{"n":\#(n),"k":"key-\#(n % 37)","pad":"abcdefghijklmnopqrstuvwxyz"}"# + "\n"
        }
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    }

    /// `kafka_consume` with `until: end` and quick group joins, into a collector.
    static func consumeWorkflow(brokers: String, topic: String, group: String, bucket: String) -> String {
        """
        nodes:
          src:
            type: kafka_consume
            brokers: \(brokers)
            topics: [\(topic)]
            group: \(group)
            until: end
            config: { session.timeout.ms: 6000, heartbeat.interval.ms: 500 }
          out: { type: test_collector, input: src, bucket: \(bucket) }
        """
    }
}
