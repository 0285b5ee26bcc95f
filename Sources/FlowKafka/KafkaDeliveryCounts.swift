/// Delivery outcome of everything a producer accepted since it was created.
public struct KafkaDeliveryCounts: Sendable, Equatable {
    /// Records accepted by `send` (enqueued in librdkafka).
    public var sent: Int
    /// Records the brokers acknowledged (with `acks=all`: written to every in-sync replica).
    public var delivered: Int
    /// Records reported as failed (timed out, rejected, purged at close): never silently dropped.
    public var failed: Int
    /// The first failure reported, if any.
    public var firstError: KafkaError?

    /// Records with no delivery report yet.
    public var pending: Int { sent - delivered - failed }

    public init(sent: Int = 0, delivered: Int = 0, failed: Int = 0, firstError: KafkaError? = nil) {
        self.sent = sent
        self.delivered = delivered
        self.failed = failed
        self.firstError = firstError
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.sent == rhs.sent && lhs.delivered == rhs.delivered && lhs.failed == rhs.failed
            && (lhs.firstError == nil) == (rhs.firstError == nil)
    }
}
