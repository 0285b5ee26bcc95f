import FlowCore
import FlowJSON
import FlowKafka

/// Reads records from Kafka topics as a consumer-group member, and commits offsets only after every
/// node downstream has processed the records, so a failed run re-delivers instead of losing.
///
/// Bounded runs (`max_messages`, `idle_timeout`, `until: end`) emit their records, end the output
/// stream, wait for the downstream nodes, and commit the highest emitted offset of each partition
/// only when all of them succeeded. `follow: true` reads until the run is interrupted and, every
/// `checkpoint_interval`, sends a checkpoint and commits what it had emitted before it once every
/// downstream node has processed those records (see docs/kafka.md).
struct KafkaConsumeNode: Node {
    static let spec = NodeSpec(
        type: "kafka_consume",
        summary: "Read records from Kafka topics as a consumer group; offsets are committed only after every downstream node succeeded.",
        inputs: .none,
        fields: [
            KafkaNodeSupport.brokersField,
            FieldSpec("topics", .oneOf([.string, .list(.string)]), required: true, "Topic, or list of topics, to read."),
            FieldSpec("group", .string, required: true, "Consumer group id: committed offsets are kept per group."),
            FieldSpec(
                "start", .choice(["earliest", "latest", "committed"]), default: "earliest",
                "Where a partition without a committed offset starts: `earliest` (oldest record), `latest` (only new records) or `committed` (fail instead). A committed offset always wins."),
            FieldSpec(
                "value", .choice(["json", "string", "bytes"]), default: "json",
                "How message values become the record's `value`: parsed `json` (a value that is not JSON fails the node, naming topic, partition and offset), UTF-8 `string`, or `bytes` as base64 (keys and header values are then base64 too)."),
            FieldSpec("max_messages", .integer, "Stop after this many records."),
            FieldSpec("idle_timeout", .duration, "Stop when no record arrived for this long (counted from the group assignment)."),
            FieldSpec(
                "until", .choice(["end"]),
                "`end`: stop at the high watermarks of the assigned partitions as seen at start (everything already written, nothing newer)."),
            FieldSpec(
                "follow", .boolean, default: false,
                "Run continuously until the run is interrupted. Offsets are committed at checkpoints (see `checkpoint_interval`); records after the last checkpoint are delivered again to the next run."),
            FieldSpec(
                "checkpoint_interval", .duration, default: "5s",
                "`follow: true`: how often to send a checkpoint through the workflow; when every downstream node has processed the records emitted before it, their offsets are committed. Only checked between polls, and only when new records were emitted."),
            KafkaNodeSupport.configField,
            KafkaNodeSupport.connectTimeoutField,
            FieldSpec(
                "assignment_timeout", .duration, default: "60s",
                "How long to wait for the group to assign partitions to this member before failing."),
        ],
        example: """
            events:
              type: kafka_consume
              brokers: ${env.KAFKA_BROKERS}
              topics: [orders]
              group: nightly-export
              until: end
            """)

    enum ValueFormat: String {
        case json, string, bytes
    }

    let brokers: String
    let topics: [String]
    let group: String
    let start: KafkaConsumer.StartPosition
    let valueFormat: ValueFormat
    let maxMessages: Int?
    let idleTimeout: Duration?
    let untilEnd: Bool
    let follow: Bool
    let checkpointInterval: Duration
    let properties: [String: String]
    let connectTimeout: Duration
    let assignmentTimeout: Duration

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        do {
            brokers = try KafkaNodeSupport.brokers(config)
        } catch let error as Diagnostic {
            diagnostics.append(error)
            brokers = ""
        }
        topics = (config.strings("topics") ?? []).filter { !$0.isEmpty }
        if topics.isEmpty { diagnostics.append(config.error("`topics` is empty", field: "topics")) }
        group = config.string("group") ?? ""
        if group.isEmpty { diagnostics.append(config.error("`group` is empty", field: "group")) }
        start = config.string("start").flatMap(KafkaConsumer.StartPosition.init) ?? .earliest
        valueFormat = config.string("value").flatMap(ValueFormat.init) ?? .json
        maxMessages = config.int("max_messages")
        if let maxMessages, maxMessages < 1 {
            diagnostics.append(config.error("`max_messages` must be at least 1", field: "max_messages"))
        }
        idleTimeout = config.duration("idle_timeout")
        untilEnd = config.string("until") == "end"
        follow = config.bool("follow") ?? false
        checkpointInterval = config.duration("checkpoint_interval") ?? .seconds(5)
        if config.isSet("checkpoint_interval") && !follow {
            diagnostics.append(config.error(
                "`checkpoint_interval` applies to `follow: true` only", field: "checkpoint_interval",
                hint: "a bounded run commits once, when every downstream node has succeeded"))
        } else if checkpointInterval <= .zero {
            diagnostics.append(config.error("`checkpoint_interval` must be positive", field: "checkpoint_interval"))
        }
        let stopRules = ["max_messages", "idle_timeout", "until"].filter(config.isSet)
        if follow, let rule = stopRules.first {
            diagnostics.append(config.error(
                "`follow: true` runs until interrupted; it cannot be combined with `\(rule)`", field: rule,
                hint: "remove `\(rule)`, or `follow` for a bounded run"))
        } else if !follow, stopRules.isEmpty {
            diagnostics.append(.error(
                "node `\(config.nodeID)` (kafka_consume): no stop rule: the node would never finish",
                at: config.location("topics"),
                hint: "add `until: end`, `max_messages: N` or `idle_timeout: 5s`, or `follow: true` to run until interrupted"))
        }
        do {
            properties = try KafkaNodeSupport.properties(
                config,
                reserved: [
                    "bootstrap.servers": "brokers", "metadata.broker.list": "brokers", "group.id": "group",
                    "auto.offset.reset": "start", "enable.auto.commit": "(offsets are committed by the node)",
                    "enable.auto.offset.store": "(offsets are committed by the node)",
                ])
        } catch let error as Diagnostics {
            diagnostics.append(contentsOf: error)
            properties = [:]
        }
        connectTimeout = config.duration("connect_timeout") ?? .seconds(10)
        assignmentTimeout = config.duration("assignment_timeout") ?? .seconds(60)
        if diagnostics.hasErrors { throw diagnostics }
    }

    func run(_ context: NodeContext) async throws {
        KafkaNodeSupport.registerSecrets(properties, in: context.masker)
        let consumer: KafkaConsumer
        do {
            consumer = try await KafkaConsumer(
                brokers: brokers, groupID: group, topics: topics, start: start, config: properties,
                connectTimeout: connectTimeout)
        } catch {
            throw KafkaNodeSupport.failure(error, "cannot start a Kafka consumer", context, brokers: brokers)
        }
        do {
            try await (follow ? runFollowing(consumer, context) : runBounded(consumer, context))
        } catch {
            try? await consumer.close(deadline: .now + .seconds(10))
            if error is NodeError || error is CancellationError || Task.isCancelled { throw error }
            throw KafkaNodeSupport.failure(error, "reading from \(topics.joined(separator: ", ")) failed", context, brokers: brokers)
        }
        do {
            try await consumer.close(deadline: .now + .seconds(10))
        } catch {
            context.logger.warning("\(context.masker.mask("leaving consumer group \(group): \(error)"))")
        }
    }

    /// Reads until the stop rule holds, then commits what every downstream node processed.
    private func runBounded(_ consumer: KafkaConsumer, _ context: NodeContext) async throws {
        // Waits for the group assignment (so `idle_timeout` does not count the join) and gives the
        // end offsets for `until: end`.
        let ends = try await consumer.highWatermarks(timeout: assignmentTimeout)
        /// Partitions with records left before their end offset (`until: end` only).
        var unfinished = Set<KafkaTopicPartition>()
        if untilEnd {
            let committed = try await consumer.committedOffsets(ends.keys)
            for (partition, end) in ends {
                let first = committed[partition] ?? (start == .latest ? end : 0)
                if first < end { unfinished.insert(partition) }
            }
        }
        var lastOffsets: [KafkaTopicPartition: Int64] = [:]
        var emitted = 0
        var lastRecord = ContinuousClock.now
        var batch: [JSON] = []
        let batchSize = context.output.batchSize
        batch.reserveCapacity(batchSize)
        while true {
            if untilEnd && unfinished.isEmpty { break }
            if let maxMessages, emitted >= maxMessages { break }
            var wait = Duration.milliseconds(500)
            if let idleTimeout {
                let left = idleTimeout - (ContinuousClock.now - lastRecord)
                if left <= .zero { break }
                wait = min(wait, left)
            }
            let limit = min(batchSize, (maxMessages ?? Int.max) - emitted)
            let messages = try await consumer.poll(maxMessages: limit, timeout: wait)
            try Task.checkCancellation()
            if messages.isEmpty { continue }
            lastRecord = .now
            for message in messages {
                let partition = message.topicPartition
                if untilEnd {
                    // Past the end seen at start, or a partition assigned later: left for the next run.
                    guard let end = ends[partition], message.offset < end else { continue }
                    if message.offset + 1 >= end { unfinished.remove(partition) }
                }
                batch.append(try record(message, context))
                lastOffsets[partition] = max(lastOffsets[partition] ?? -1, message.offset)
            }
            emitted += batch.count
            try await context.output.send(batch)
            batch.removeAll(keepingCapacity: true)
            context.counters.set(emitted, for: "messages_consumed")
        }
        context.counters.set(emitted, for: "messages_consumed")

        // Let the downstream nodes finish, and commit only what they all processed.
        context.output.finish()
        let succeeded = await context.downstreamSucceeded()
        try Task.checkCancellation()
        guard succeeded else {
            context.logger.warning(
                "offsets left uncommitted: a downstream node did not succeed; the next run of group \(group) receives these \(emitted) records again")
            return
        }
        do {
            try await consumer.commit(lastProcessed: lastOffsets)
        } catch {
            throw KafkaNodeSupport.failure(
                error, "the records were processed, but committing offsets for group \(group) failed (the next run receives them again)",
                context, brokers: brokers)
        }
        context.counters.set(lastOffsets.count, for: "partitions_committed")
    }

    var sendsCheckpoints: Bool { follow }

    /// Reads until cancelled. Every `checkpointInterval` (when records were emitted since the last
    /// one) sends a checkpoint after the last batch and, once every downstream node has processed
    /// everything before it, commits the highest offsets emitted before it. Offsets emitted after
    /// the marker wait for the next checkpoint; on cancellation nothing more is committed.
    private func runFollowing(_ consumer: KafkaConsumer, _ context: NodeContext) async throws {
        var emitted = 0
        var batch: [JSON] = []
        batch.reserveCapacity(context.output.batchSize)
        /// The highest offset per partition emitted since the last checkpoint.
        var uncovered: [KafkaTopicPartition: Int64] = [:]
        var lastCheckpoint = ContinuousClock.now
        var checkpoints = 0
        while true {
            let untilCheckpoint = checkpointInterval - (ContinuousClock.now - lastCheckpoint)
            let wait = uncovered.isEmpty ? .milliseconds(500) : max(.milliseconds(1), min(.milliseconds(500), untilCheckpoint))
            let messages = try await consumer.poll(maxMessages: context.output.batchSize, timeout: wait)
            try Task.checkCancellation()
            for message in messages {
                batch.append(try record(message, context))
                uncovered[message.topicPartition] = max(uncovered[message.topicPartition] ?? -1, message.offset)
            }
            emitted += batch.count
            try await context.output.send(batch)
            batch.removeAll(keepingCapacity: true)
            context.counters.set(emitted, for: "messages_consumed")

            guard !uncovered.isEmpty, ContinuousClock.now - lastCheckpoint >= checkpointInterval else { continue }
            let covered = uncovered
            uncovered = [:]
            let acknowledged = try await context.output.checkpoint()
            try Task.checkCancellation()
            lastCheckpoint = .now
            guard acknowledged else {
                context.logger.warning(
                    "offsets left uncommitted: a downstream node did not process the records; the next run of group \(group) receives them again")
                return
            }
            do {
                try await consumer.commit(lastProcessed: covered)
            } catch {
                throw KafkaNodeSupport.failure(
                    error, "the records were processed, but committing offsets for group \(group) failed (the next run receives them again)",
                    context, brokers: brokers)
            }
            checkpoints += 1
            context.counters.set(checkpoints, for: "checkpoints_committed")
        }
    }

    /// `{topic, partition, offset, key, timestamp, headers, value}`.
    private func record(_ message: KafkaConsumerMessage, _ context: NodeContext) throws -> JSON {
        var object = JSONObject(minimumCapacity: 7)
        object.appendUnchecked("topic", .string(message.topic))
        object.appendUnchecked("partition", .int(Int(message.partition)))
        object.appendUnchecked("offset", .int(Int(message.offset)))
        object.appendUnchecked("key", message.key.map { .string(text($0)) } ?? .null)
        object.appendUnchecked("timestamp", message.timestamp.map { .int(Int($0)) } ?? .null)
        var headers = JSONObject(minimumCapacity: message.headers.count)
        for (name, bytes) in message.headers { headers[name] = .string(text(bytes)) }
        object.appendUnchecked("headers", .object(headers))
        let value: JSON
        switch (valueFormat, message.value) {
        case (_, nil):
            value = .null
        case (.json, let bytes?):
            do {
                value = try JSONParser.parse(bytes: bytes)
            } catch {
                throw NodeError(
                    nodeID: context.nodeID,
                    message: "the value at \(message.topic)[\(message.partition)] offset \(message.offset) is not JSON: \(error)",
                    hint: "`value: string` reads values as text, `value: bytes` as base64")
            }
        case (.string, let bytes?):
            value = .string(String(decoding: bytes, as: UTF8.self))
        case (.bytes, let bytes?):
            value = .string(KafkaNodeSupport.base64(bytes))
        }
        object.appendUnchecked("value", value)
        return .object(object)
    }

    /// Keys and header values: UTF-8 text (invalid bytes replaced), or base64 with `value: bytes`.
    private func text(_ bytes: [UInt8]) -> String {
        valueFormat == .bytes ? KafkaNodeSupport.base64(bytes) : String(decoding: bytes, as: UTF8.self)
    }
}
