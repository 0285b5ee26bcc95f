import CRdKafka

/// An error from the Kafka client: what failed, librdkafka's error name and text, and whether retrying
/// the same operation later can succeed.
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable, Equatable {
        /// An error code reported by librdkafka (`rd_kafka_resp_err_t`).
        case rdkafka(Int32)
        /// A configuration property was rejected.
        case configuration
        /// The brokers could not be reached when the client was created.
        case connection
        /// The client was used after `close`.
        case closed
        /// An operation did not finish before its deadline.
        case timeout
    }

    private let code: Code
    /// What the client was doing, e.g. "committing offsets for group g1".
    public let operation: String
    /// librdkafka's symbolic error name (e.g. `_TRANSPORT`, `UNKNOWN_TOPIC_OR_PART`), or a FlowKafka name
    /// (`CONFIGURATION`, `CONNECTION`, `CLOSED`, `TIMEOUT`).
    public let name: String
    /// Human-readable detail from librdkafka or FlowKafka.
    public let message: String
    /// True when the same operation may succeed later (broker down, leader election, timeouts).
    public let isRetryable: Bool
    /// True after librdkafka raised a fatal error: the client must be closed and recreated.
    public let isFatal: Bool

    /// The raw librdkafka error code, when the error came from librdkafka.
    public var rdKafkaCode: Int32? {
        if case .rdkafka(let value) = code { return value }
        return nil
    }

    /// True when the operation failed because it ran past its deadline.
    public var isTimeout: Bool {
        code == .timeout || rdKafkaCode == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
            || rdKafkaCode == RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue
    }

    public var description: String {
        var text = "Kafka error while \(operation): \(name): \(message)"
        if isFatal {
            text += " (fatal: close and recreate the client)"
        } else if isRetryable {
            text += " (retryable)"
        }
        return text
    }

    private init(code: Code, operation: String, name: String, message: String, isRetryable: Bool, isFatal: Bool) {
        self.code = code
        self.operation = operation
        self.name = name
        self.message = message
        self.isRetryable = isRetryable
        self.isFatal = isFatal
    }

    /// An error from a librdkafka error code; `detail` overrides librdkafka's generic text for the code.
    init(rdkafka error: rd_kafka_resp_err_t, operation: String, detail: String? = nil, isFatal: Bool = false) {
        let fatal = isFatal || error == RD_KAFKA_RESP_ERR__FATAL
        self.init(
            code: .rdkafka(error.rawValue),
            operation: operation,
            name: String(cString: rd_kafka_err2name(error)),
            message: detail ?? String(cString: rd_kafka_err2str(error)),
            isRetryable: !fatal && Self.retryableCodes.contains(error.rawValue),
            isFatal: fatal
        )
    }

    static func configuration(_ message: String, operation: String) -> KafkaError {
        KafkaError(
            code: .configuration, operation: operation, name: "CONFIGURATION", message: message,
            isRetryable: false, isFatal: false)
    }

    static func connection(_ message: String, operation: String) -> KafkaError {
        KafkaError(
            code: .connection, operation: operation, name: "CONNECTION", message: message,
            isRetryable: true, isFatal: false)
    }

    static func closed(operation: String) -> KafkaError {
        KafkaError(
            code: .closed, operation: operation, name: "CLOSED",
            message: "the client was closed; create a new one", isRetryable: false, isFatal: false)
    }

    static func timeout(_ message: String, operation: String) -> KafkaError {
        KafkaError(
            code: .timeout, operation: operation, name: "TIMEOUT", message: message,
            isRetryable: true, isFatal: false)
    }

    /// Codes after which retrying later can succeed: transport and coordinator trouble, timeouts,
    /// leadership changes, full queues. Everything else (authorization, invalid records, unknown
    /// partitions, fatal idempotence errors) needs a change before a retry can help.
    private static let retryableCodes: Set<Int32> = Set(
        [
            RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
            RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__RESOLVE,
            RD_KAFKA_RESP_ERR__WAIT_COORD, RD_KAFKA_RESP_ERR__IN_PROGRESS, RD_KAFKA_RESP_ERR__PREV_IN_PROGRESS,
            RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE, RD_KAFKA_RESP_ERR__NO_OFFSET, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT,
            RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
            RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
            RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
            RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS,
            RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
            RD_KAFKA_RESP_ERR_FETCH_SESSION_ID_NOT_FOUND, RD_KAFKA_RESP_ERR_UNSTABLE_OFFSET_COMMIT,
            RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_THROTTLING_QUOTA_EXCEEDED,
        ].map(\.rawValue))
}
