import CRdKafka
import Synchronization

/// The producer's callback context: delivery counters and flush waiters.
///
/// `@unchecked Sendable`: `state` is behind a Mutex and `sent` is atomic; the `unpublished...`
/// fields are only touched on the poll thread (inside `rd_kafka_poll` and right after it).
final class ProducerContext: RDKafkaContext, @unchecked Sendable {
    /// Records accepted by `send`; bumped by senders without a lock.
    let sent = Atomic<Int>(0)
    let state = Mutex(DeliveryState())
    /// Reports gathered during one `rd_kafka_poll`, published under the lock once per poll rather
    /// than once per record (a lock per record contended with the senders and halved throughput).
    var unpublishedDelivered = 0
    var unpublishedFailed = 0
    var unpublishedFirstError: KafkaError?

    var sentCount: Int { sent.load(ordering: .sequentiallyConsistent) }

    func counts() -> KafkaDeliveryCounts {
        state.withLock { $0.counts(sent: sentCount) }
    }

    /// Poll thread only.
    func publishReports() {
        guard unpublishedDelivered > 0 || unpublishedFailed > 0 else { return }
        let (delivered, failed, firstError) = (unpublishedDelivered, unpublishedFailed, unpublishedFirstError)
        unpublishedDelivered = 0
        unpublishedFailed = 0
        unpublishedFirstError = nil
        state.withLock { $0.report(delivered: delivered, failed: failed, firstError: firstError) }
    }

    /// Called on the poll thread after each `rd_kafka_poll`.
    func resumeReadyWaiters() {
        publishReports()
        let ready = state.withLock { $0.tick(now: .now, sent: sentCount) }
        for (continuation, counts) in ready {
            continuation.resume(returning: counts)
        }
    }
}

/// Called by librdkafka inside `rd_kafka_poll`, i.e. on the producer's poll thread, once per record.
func deliveryReportCallback(
    _ handle: OpaquePointer?, message: UnsafePointer<rd_kafka_message_t>?, opaque: UnsafeMutableRawPointer?
) {
    guard let message, let context = RDKafkaContext.from(opaque) as? ProducerContext else { return }
    let error = message.pointee.err
    if error == RD_KAFKA_RESP_ERR_NO_ERROR {
        context.unpublishedDelivered += 1
    } else {
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        // Not rd_kafka_message_errstr: for delivery reports the payload is the record, not a message.
        let operation = "delivering to topic \(topic)"
        let failure: KafkaError
        if error == RD_KAFKA_RESP_ERR__FATAL, let handle, let fatal = RDKafkaClient.fatalError(handle, operation: operation) {
            failure = fatal
        } else {
            failure = KafkaError(rdkafka: error, operation: operation)
        }
        context.unpublishedFailed += 1
        if context.unpublishedFirstError == nil { context.unpublishedFirstError = failure }
    }
}
