import CRdKafka
import Synchronization

/// A Kafka consumer-group member on librdkafka that commits only what the caller says it processed.
///
/// Threads: every librdkafka call that can block (`rd_kafka_consumer_poll`, `rd_kafka_commit`,
/// watermark queries, close) runs on the consumer's own thread, one at a time; callers await the
/// result. The rebalance callback runs inside `rd_kafka_consumer_poll` on that thread.
///
/// Offsets: `enable.auto.commit` and `enable.auto.offset.store` are off; nothing is committed except
/// by `commit`, so records read but not committed are delivered again to the group's next member.
public final class KafkaConsumer: Sendable, CustomStringConvertible {
    /// Where a partition starts when the group has no committed offset for it (a committed offset
    /// always wins). Maps to librdkafka's `auto.offset.reset`.
    public enum StartPosition: String, Sendable {
        /// The oldest retained record.
        case earliest
        /// Only records produced after the consumer joined.
        case latest
        /// Resume from committed offsets only: a partition without one is an error (`poll` throws).
        case committed
    }

    private let client: RDKafkaClient
    private let context: ConsumerContext
    private let thread: KafkaThread
    private let properties: [String: String]
    private let isClosed = Atomic<Bool>(false)
    /// The consumer group this member belongs to.
    public let groupID: String
    /// The subscribed topics.
    public let topics: [String]

    /// Joins `groupID`, subscribes to `topics`, and waits until a broker answers (so a wrong address
    /// fails here). Joining the group itself completes in the background during the first polls.
    ///
    /// - Parameter config: any librdkafka consumer properties. `group.id`, `enable.auto.commit`,
    ///   `enable.auto.offset.store` and `auto.offset.reset` are set by this type.
    public init(
        brokers: String, groupID: String, topics: [String], start: StartPosition, config: [String: String] = [:],
        connectTimeout: Duration = .seconds(10)
    ) async throws {
        var properties = config
        properties["group.id"] = groupID
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        properties["auto.offset.reset"] = start == .committed ? "error" : start.rawValue
        let context = ConsumerContext()
        let operation = "creating a Kafka consumer for group \(groupID)"
        let client = try RDKafkaClient(
            consumer: true, brokers: brokers, properties: properties, context: context, operation: operation
        ) { conf in
            rd_kafka_conf_set_rebalance_cb(conf, rebalanceCallback)
        }
        self.client = client
        self.context = context
        self.properties = properties
        self.groupID = groupID
        self.topics = topics
        self.thread = KafkaThread(name: "flowkafka-cons")
        do {
            try await thread.run(operation: operation) { () throws(KafkaError) in
                try client.checkConnection(timeout: connectTimeout)
                // From here on, errors and rebalances arrive through rd_kafka_consumer_poll.
                rd_kafka_poll_set_consumer(client.handle)
                let list = rd_kafka_topic_partition_list_new(Int32(topics.count))
                defer { rd_kafka_topic_partition_list_destroy(list) }
                for topic in topics {
                    rd_kafka_topic_partition_list_add(list, topic, RDKafka.unassignedPartition)
                }
                let result = rd_kafka_subscribe(client.handle, list)
                if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(rdkafka: result, operation: "subscribing to \(topics.joined(separator: ", "))")
                }
            }
        } catch {
            thread.stop()
            throw error
        }
    }

    deinit {
        thread.stop()
    }

    public var description: String {
        "KafkaConsumer(brokers: \(client.brokers), topics: \(topics), config: "
            + "\(KafkaConfig.redactedDescription(properties)))"
    }

    /// Returns up to `maxMessages` records: as soon as at least one is available, or an empty array
    /// after `timeout`. Cancellation ends the wait early (within about 100 ms).
    ///
    /// Transient errors (broker down, coordinator moves) are retried by librdkafka and not thrown.
    /// - Throws: `KafkaError` for errors that need attention (no committed offset with `.committed`,
    ///   authorization, fatal errors), or when closed.
    public func poll(maxMessages: Int = 1000, timeout: Duration = .seconds(1)) async throws -> [KafkaConsumerMessage] {
        try checkOpen(operation: "polling")
        let client = self.client
        let context = self.context
        let flag = CancelFlag()
        return try await withTaskCancellationHandler {
            try await thread.run(operation: "polling") { () throws(KafkaError) in
                var messages = context.takeBuffered(max: maxMessages)
                if let error = context.takePendingError() {
                    if messages.isEmpty { throw error }
                    context.setPendingError(error)
                    return messages
                }
                let deadline = ContinuousClock.now + timeout
                while messages.count < maxMessages {
                    let waitMilliseconds =
                        messages.isEmpty ? min(100, (deadline - .now).milliseconds) : 0
                    guard let message = rd_kafka_consumer_poll(client.handle, Int32(waitMilliseconds)) else {
                        if !messages.isEmpty || ContinuousClock.now >= deadline || flag.isSet { break }
                        continue
                    }
                    defer { rd_kafka_message_destroy(message) }
                    if let error = Self.error(in: message, client: client) {
                        if messages.isEmpty { throw error }
                        context.setPendingError(error)  // return what we have; throw on the next poll
                        break
                    }
                    if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                        messages.append(KafkaConsumerMessage(copying: message))
                    }
                }
                return messages
            }
        } onCancel: {
            flag.set()
        }
    }

    /// The high watermark (offset of the next record to be written) of every partition assigned to
    /// this member, for reading "until the end". Waits for the group assignment first.
    ///
    /// Records fetched while waiting are kept for the next `poll`. A member that joined but got no
    /// partitions returns an empty dictionary.
    public func highWatermarks(timeout: Duration = .seconds(30)) async throws -> [KafkaTopicPartition: Int64] {
        try checkOpen(operation: "querying high watermarks")
        let client = self.client
        let context = self.context
        let groupID = self.groupID
        return try await thread.run(operation: "querying high watermarks") { () throws(KafkaError) in
            let deadline = ContinuousClock.now + timeout
            while !context.hasAssignment {
                guard ContinuousClock.now < deadline else {
                    throw .timeout(
                        "no partition assignment for group \(groupID) within \(timeout.milliseconds) ms",
                        operation: "querying high watermarks")
                }
                guard let message = rd_kafka_consumer_poll(client.handle, 100) else { continue }
                defer { rd_kafka_message_destroy(message) }
                if let error = Self.error(in: message, client: client) { throw error }
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    context.buffer(KafkaConsumerMessage(copying: message))
                }
            }
            var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            let result = rd_kafka_assignment(client.handle, &list)
            guard result == RD_KAFKA_RESP_ERR_NO_ERROR, let list else {
                throw KafkaError(rdkafka: result, operation: "reading the partition assignment")
            }
            defer { rd_kafka_topic_partition_list_destroy(list) }
            var watermarks: [KafkaTopicPartition: Int64] = [:]
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                let topic = String(cString: element.topic)
                var low: Int64 = 0
                var high: Int64 = 0
                let remaining = max(1, (deadline - .now).milliseconds)
                let queried = rd_kafka_query_watermark_offsets(
                    client.handle, element.topic, element.partition, &low, &high, Int32(remaining))
                guard queried == RD_KAFKA_RESP_ERR_NO_ERROR else {
                    throw KafkaError(
                        rdkafka: queried, operation: "querying the high watermark of \(topic)[\(element.partition)]")
                }
                watermarks[KafkaTopicPartition(topic: topic, partition: element.partition)] = high
            }
            // Also take the high watermark of the first fetch response after this call: the tansu test
            // broker answers ListOffsets(latest) with a batch count rather than an offset (see
            // docs/kafka.md), while its fetch responses are right. On Apache Kafka both agree.
            var waiting = Set(watermarks.keys)
            while !waiting.isEmpty && ContinuousClock.now < deadline {
                for partition in waiting {
                    var low: Int64 = 0
                    var high: Int64 = -1
                    rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
                    if high >= 0 {
                        watermarks[partition] = max(watermarks[partition] ?? 0, high)
                        waiting.remove(partition)
                    }
                }
                guard !waiting.isEmpty, let message = rd_kafka_consumer_poll(client.handle, 20) else { continue }
                defer { rd_kafka_message_destroy(message) }
                if let error = Self.error(in: message, client: client) { throw error }
                if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    context.buffer(KafkaConsumerMessage(copying: message))
                }
            }
            return watermarks
        }
    }

    /// The group's committed offset (the next record to read) of each partition in `partitions`;
    /// partitions without a committed offset are left out. Used with `highWatermarks()` to tell
    /// whether a partition has anything left to read.
    public func committedOffsets(
        _ partitions: some Collection<KafkaTopicPartition>, timeout: Duration = .seconds(10)
    ) async throws -> [KafkaTopicPartition: Int64] {
        guard !partitions.isEmpty else { return [:] }
        try checkOpen(operation: "reading committed offsets")
        let client = self.client
        let groupID = self.groupID
        let partitions = Array(partitions)
        return try await thread.run(operation: "reading committed offsets") { () throws(KafkaError) in
            let list = rd_kafka_topic_partition_list_new(Int32(partitions.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for partition in partitions {
                rd_kafka_topic_partition_list_add(list, partition.topic, partition.partition)
            }
            let result = rd_kafka_committed(client.handle, list, Int32(clamping: timeout.milliseconds))
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(rdkafka: result, operation: "reading committed offsets of group \(groupID)")
            }
            var offsets: [KafkaTopicPartition: Int64] = [:]
            for index in 0..<Int(list.pointee.cnt) {
                let element = list.pointee.elems[index]
                guard element.err == RD_KAFKA_RESP_ERR_NO_ERROR, element.offset >= 0 else { continue }
                offsets[KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)] =
                    element.offset
            }
            return offsets
        }
    }

    /// Synchronously commits, for each partition, the offset after the last processed record
    /// (`lastProcessed + 1`, Kafka's "next record to read").
    /// - Throws: `KafkaError` when the commit or any partition's commit fails.
    public func commit(lastProcessed offsets: [KafkaTopicPartition: Int64]) async throws {
        guard !offsets.isEmpty else { return }
        try checkOpen(operation: "committing offsets")
        let client = self.client
        let groupID = self.groupID
        try await thread.run(operation: "committing offsets") { () throws(KafkaError) in
            let operation = "committing offsets for group \(groupID)"
            let list = rd_kafka_topic_partition_list_new(Int32(offsets.count))!
            defer { rd_kafka_topic_partition_list_destroy(list) }
            for (topicPartition, offset) in offsets {
                let element = rd_kafka_topic_partition_list_add(list, topicPartition.topic, topicPartition.partition)!
                element.pointee.offset = offset + 1
            }
            let result = rd_kafka_commit(client.handle, list, 0)
            if result != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(rdkafka: result, operation: operation)
            }
            for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].err != RD_KAFKA_RESP_ERR_NO_ERROR {
                let element = list.pointee.elems[index]
                throw KafkaError(
                    rdkafka: element.err,
                    operation: "\(operation) (\(String(cString: element.topic))[\(element.partition)])")
            }
        }
    }

    /// Commits the highest offset of `messages` per partition (see `commit(lastProcessed:)`).
    public func commit(_ messages: [KafkaConsumerMessage]) async throws {
        var offsets: [KafkaTopicPartition: Int64] = [:]
        for message in messages {
            offsets[message.topicPartition] = max(offsets[message.topicPartition] ?? -1, message.offset)
        }
        try await commit(lastProcessed: offsets)
    }

    /// Leaves the group (revoking this member's partitions so others take over at once) and releases
    /// the consumer. Nothing is committed here. Throws a timeout `KafkaError` if leaving did not finish
    /// by `deadline`; the consumer is released either way.
    public func close(deadline: ContinuousClock.Instant) async throws {
        guard !isClosed.exchange(true, ordering: .sequentiallyConsistent) else { return }
        let client = self.client
        let groupID = self.groupID
        defer { thread.stop() }
        try await thread.run(operation: "closing the consumer") { () throws(KafkaError) in
            let queue = rd_kafka_queue_new(client.handle)
            defer { rd_kafka_queue_destroy(queue) }
            if let error = rd_kafka_consumer_close_queue(client.handle, queue) {
                let code = rd_kafka_error_code(error)
                let text = String(cString: rd_kafka_error_string(error))
                rd_kafka_error_destroy(error)
                throw KafkaError(rdkafka: code, operation: "closing the consumer of group \(groupID)", detail: text)
            }
            while rd_kafka_consumer_closed(client.handle) == 0 {
                guard ContinuousClock.now < deadline else {
                    throw .timeout("leaving group \(groupID) did not finish in time", operation: "closing the consumer")
                }
                // With a rebalance_cb set, revocations are served through the callback during this poll.
                if let event = rd_kafka_queue_poll(queue, 100) {
                    if rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE {
                        rd_kafka_assign(client.handle, nil)
                    }
                    rd_kafka_event_destroy(event)
                }
            }
        }
    }

    private func checkOpen(operation: String) throws(KafkaError) {
        if isClosed.load(ordering: .relaxed) { throw .closed(operation: operation) }
    }

    /// The error a message carries, if it needs the caller's attention; nil for records, for
    /// end-of-partition markers and for transient errors librdkafka retries by itself.
    private static func error(in message: UnsafeMutablePointer<rd_kafka_message_t>, client: RDKafkaClient) -> KafkaError? {
        let code = message.pointee.err
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR, code != RD_KAFKA_RESP_ERR__PARTITION_EOF else { return nil }
        let operation = "consuming"
        if code == RD_KAFKA_RESP_ERR__FATAL {
            return client.fatalError(operation: operation) ?? KafkaError(rdkafka: code, operation: operation)
        }
        var detail = String(cString: rd_kafka_message_errstr(message))
        if let topic = message.pointee.rkt {
            detail = "\(String(cString: rd_kafka_topic_name(topic)))[\(message.pointee.partition)]: \(detail)"
        }
        let error = KafkaError(rdkafka: code, operation: operation, detail: detail)
        return error.isRetryable ? nil : error
    }
}
