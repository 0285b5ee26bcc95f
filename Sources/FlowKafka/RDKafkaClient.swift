import CRdKafka
import Synchronization

/// State that librdkafka callbacks reach through the `opaque` pointer (`rd_kafka_conf_set_opaque`).
///
/// librdkafka stores the pointer unretained; `RDKafkaClient` keeps the object alive until after
/// `rd_kafka_destroy`, so callbacks never see a dangling pointer. Callbacks run on whichever thread
/// serves the queue (the producer's poll thread, the consumer's thread), hence the locks.
class RDKafkaContext: @unchecked Sendable {
    /// The most recent client-level error (error_cb), e.g. "Connect to ipv4#127.0.0.1:1 failed".
    let lastError = Mutex<String?>(nil)

    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    static func from(_ opaque: UnsafeMutableRawPointer?) -> RDKafkaContext? {
        guard let opaque else { return nil }
        return Unmanaged<RDKafkaContext>.fromOpaque(opaque).takeUnretainedValue()
    }
}

/// Called by librdkafka (on the thread serving the main queue) for client-level errors; most are
/// transient and retried internally, so they are only remembered to explain a later failure.
private func errorCallback(_: OpaquePointer?, _: Int32, reason: UnsafePointer<CChar>?, opaque: UnsafeMutableRawPointer?) {
    guard let context = RDKafkaContext.from(opaque), let reason else { return }
    let text = String(cString: reason)
    context.lastError.withLock { $0 = text }
}

/// Owns one `rd_kafka_t`.
///
/// `@unchecked Sendable`: librdkafka handles are thread-safe; the only non-thread-safe step is
/// destruction, which happens once, in `deinit`, when no other reference exists.
final class RDKafkaClient: @unchecked Sendable {
    let handle: OpaquePointer
    let brokers: String
    private let context: RDKafkaContext
    private let isConsumer: Bool

    /// Creates a client. `configure` may add callbacks to the configuration before it is handed over.
    init(
        consumer: Bool, brokers: String, properties: [String: String], context: RDKafkaContext,
        operation: String, configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) {
        var properties = properties
        properties["bootstrap.servers"] = brokers
        let conf = try KafkaConfig.make(properties, operation: operation)
        rd_kafka_conf_set_opaque(conf, context.opaque)
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        if properties["debug"] == nil {
            // librdkafka logs to stderr from its own threads; errors reach us through error_cb and
            // the APIs, so the log is only kept when the user asked for debug output.
            rd_kafka_conf_set_log_cb(conf, nil)
        }
        configure(conf)
        var errorText = [CChar](repeating: 0, count: 512)
        guard let handle = rd_kafka_new(consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER, conf, &errorText, errorText.count)
        else {
            rd_kafka_conf_destroy(conf)  // still ours when rd_kafka_new fails
            throw .configuration(KafkaConfig.redact(String(cBuffer: errorText), properties), operation: operation)
        }
        self.handle = handle
        self.brokers = brokers
        self.context = context
        self.isConsumer = consumer
    }

    deinit {
        if isConsumer {
            // The consumer was closed explicitly (with a deadline) or not at all; never block here.
            rd_kafka_destroy_flags(handle, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE)
        } else {
            rd_kafka_destroy(handle)
        }
    }

    /// Blocks until a broker answers a metadata request, or fails with the reason after `timeout`.
    /// librdkafka retries unreachable brokers forever, so this is how a bad address becomes an error.
    func checkConnection(timeout: Duration) throws(KafkaError) {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let result = rd_kafka_metadata(handle, 0, nil, &metadata, Int32(timeout.milliseconds))
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        guard result != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        rd_kafka_poll(handle, 0)  // serve pending error_cb events for the reason
        let reason = context.lastError.withLock { $0 } ?? String(cString: rd_kafka_err2str(result))
        throw .connection(
            "no broker of \(brokers) answered within \(timeout.milliseconds) ms (\(reason)); check the address "
                + "and that the brokers are running",
            operation: "connecting to Kafka")
    }

    /// The fatal error librdkafka raised, if any (idempotent producer sequence errors, fenced members).
    func fatalError(operation: String) -> KafkaError? {
        Self.fatalError(handle, operation: operation)
    }

    static func fatalError(_ handle: OpaquePointer, operation: String) -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(rdkafka: code, operation: operation, detail: String(cBuffer: text), isFatal: true)
    }
}

extension Duration {
    /// Whole milliseconds, clamped to what librdkafka's `int` timeouts accept.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        let value = seconds.multipliedReportingOverflow(by: 1000)
        guard !value.overflow else { return Int(Int32.max) }
        return max(0, min(Int(Int32.max), Int(value.partialValue + attoseconds / 1_000_000_000_000_000)))
    }
}

extension String {
    /// Decodes a NUL-terminated C string from a buffer librdkafka wrote into.
    init(cBuffer: [CChar]) {
        self.init(decoding: cBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
