import CRdKafka
import Synchronization

/// A Kafka producer on librdkafka: `send` enqueues records without waiting, `flush` awaits their
/// delivery reports.
///
/// Threads: `send` runs on the caller's task and only enqueues (librdkafka copies the bytes).
/// librdkafka's own threads batch and transmit. A dedicated poll thread calls `rd_kafka_poll`, which
/// runs the delivery-report callback; the callback counts reports, the poll thread publishes them
/// into a `Mutex`-protected `DeliveryState` once per poll and resumes `flush` callers when nothing is
/// pending or their deadline passed. No task or continuation is created per record.
public final class KafkaProducer: Sendable, CustomStringConvertible {
    /// Properties set unless the caller's configuration overrides them.
    public static let defaultProperties: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
    ]

    private let client: RDKafkaClient
    private let context: ProducerContext
    private let thread: KafkaThread
    private let properties: [String: String]
    private let topics = Mutex<[String: TopicHandle]>([:])
    private let isClosed = Atomic<Bool>(false)

    /// Creates a producer and waits until a broker answers, so a wrong address fails here.
    ///
    /// - Parameters:
    ///   - brokers: `host:port[,host:port...]` (librdkafka's `bootstrap.servers`).
    ///   - config: any librdkafka producer properties; they override `defaultProperties`.
    ///   - connectTimeout: how long to wait for a broker before throwing a `KafkaError`.
    public init(
        brokers: String, config: [String: String] = [:], connectTimeout: Duration = .seconds(10)
    ) async throws {
        let properties = Self.defaultProperties.merging(config) { _, user in user }
        let context = ProducerContext()
        let client = try RDKafkaClient(
            consumer: false, brokers: brokers, properties: properties, context: context,
            operation: "creating a Kafka producer"
        ) { conf in
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReportCallback)
        }
        self.client = client
        self.context = context
        self.properties = properties
        self.thread = KafkaThread(name: "flowkafka-prod") {
            // Serves delivery reports (and error_cb); 50 ms bounds how late a flush deadline fires.
            rd_kafka_poll(client.handle, 50)
            context.resumeReadyWaiters()
        }
        do {
            try await thread.run(operation: "connecting to Kafka") { () throws(KafkaError) in
                try client.checkConnection(timeout: connectTimeout)
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
        "KafkaProducer(brokers: \(client.brokers), config: \(KafkaConfig.redactedDescription(properties)))"
    }

    /// Delivery counts so far (no waiting).
    public var deliveryCounts: KafkaDeliveryCounts {
        context.counts()
    }

    /// Enqueues one record. Returns once librdkafka has copied it; delivery is reported to `flush`.
    ///
    /// When librdkafka's queue is full this waits (polling, never dropping) until there is room.
    /// Runs on the caller's executor (`nonisolated(nonsending)`): calling it from an actor costs no
    /// executor hop per record.
    /// - Parameter partition: nil lets librdkafka's partitioner choose (by key hash when keyed).
    /// - Throws: `KafkaError` when the record is refused (too large, unknown partition, fatal producer
    ///   error, closed producer); `CancellationError` if cancelled while waiting for room.
    nonisolated(nonsending) public func send(
        topic: String, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8],
        headers: [(String, [UInt8])] = []
    ) async throws {
        let topicHandle = try self.topicHandle(topic)
        try await enqueue(
            topicHandle, partition: partition ?? RDKafka.unassignedPartition, key: key, value: value,
            headers: headers)
    }

    /// Enqueues records in order; stops at the first refused record and throws (records before it
    /// stay enqueued and are reported to `flush`).
    nonisolated(nonsending) public func send(_ records: some Sequence<KafkaProducerRecord>) async throws {
        var lastTopic: (name: String, handle: TopicHandle)?
        for record in records {
            let handle: TopicHandle
            if let lastTopic, lastTopic.name == record.topic {
                handle = lastTopic.handle
            } else {
                handle = try topicHandle(record.topic)
                lastTopic = (record.topic, handle)
            }
            try await enqueue(
                handle, partition: record.partition ?? RDKafka.unassignedPartition, key: record.key,
                value: record.value, headers: record.headers)
        }
    }

    /// Waits until every record sent so far has a delivery report, or until `deadline`.
    ///
    /// Returns the counts either way: `pending > 0` means the deadline passed first (those records
    /// are still in flight and will be reported to a later flush). Cancellation returns at once.
    public func flush(deadline: ContinuousClock.Instant) async -> KafkaDeliveryCounts {
        let context = self.context
        let id = context.state.withLock { $0.makeWaiterID() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let immediate = context.state.withLock {
                    $0.addWaiter(
                        id: id, deadline: deadline, now: .now, sent: context.sentCount, continuation: continuation)
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            if let (continuation, counts) = context.state.withLock({
                $0.cancelWaiter(id: id, sent: context.sentCount)
            }) {
                continuation.resume(returning: counts)
            }
        }
    }

    /// Flushes until `deadline`, reports whatever is still pending as failed (purged), and releases
    /// the producer. Later `send` calls throw.
    @discardableResult
    public func close(deadline: ContinuousClock.Instant) async -> KafkaDeliveryCounts {
        isClosed.store(true, ordering: .sequentiallyConsistent)
        var counts = await flush(deadline: deadline)
        if counts.pending > 0 {
            let client = self.client
            let context = self.context
            counts =
                (try? await thread.run(operation: "closing the producer") {
                    // Purged records get delivery reports with _PURGE_QUEUE/_PURGE_INFLIGHT: counted as failed.
                    rd_kafka_purge(client.handle, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
                    let grace = ContinuousClock.now + .seconds(5)
                    while context.counts().pending > 0 && .now < grace {
                        rd_kafka_poll(client.handle, 50)
                        context.publishReports()
                    }
                    return context.counts()
                }) ?? counts
        }
        thread.stop()
        // Flushes still waiting (from other tasks) would otherwise wait for a poll that never comes.
        let context = self.context
        for (continuation, waiterCounts) in context.state.withLock({ $0.removeAllWaiters(sent: context.sentCount) }) {
            continuation.resume(returning: waiterCounts)
        }
        return counts
    }

    // MARK: Enqueueing

    private func topicHandle(_ name: String) throws(KafkaError) -> TopicHandle {
        if isClosed.load(ordering: .relaxed) {
            throw .closed(operation: "sending to topic \(name)")
        }
        if let handle = topics.withLock({ $0[name] }) { return handle }
        guard let pointer = rd_kafka_topic_new(client.handle, name, nil) else {
            throw KafkaError(rdkafka: rd_kafka_last_error(), operation: "opening topic \(name)")
        }
        let handle = TopicHandle(pointer, client: client)
        return topics.withLock { cache in
            if let existing = cache[name] { return existing }
            cache[name] = handle
            return handle
        }
    }

    nonisolated(nonsending) private func enqueue(
        _ topic: TopicHandle, partition: Int32, key: [UInt8]?, value: [UInt8], headers: [(String, [UInt8])]
    ) async throws {
        // Counted before the record exists in librdkafka, so a delivery report can never arrive for
        // a record not yet counted (flush would see pending < 0); taken back if it is refused.
        context.sent.add(1, ordering: .relaxed)
        do {
            while true {
                let result = RDKafka.produce(
                    client.handle, topic: topic.pointer, partition: partition, key: key, value: value,
                    headers: headers)
                if result == RD_KAFKA_RESP_ERR_NO_ERROR { return }
                if result == RD_KAFKA_RESP_ERR__QUEUE_FULL {
                    // The poll thread frees room as delivery reports arrive.
                    try await Task.sleep(for: .milliseconds(1))
                    continue
                }
                let operation = "sending to topic \(topic.name)"
                if result == RD_KAFKA_RESP_ERR__FATAL, let fatal = client.fatalError(operation: operation) {
                    throw fatal
                }
                throw KafkaError(rdkafka: result, operation: operation)
            }
        } catch {
            context.sent.subtract(1, ordering: .relaxed)
            throw error
        }
    }
}
