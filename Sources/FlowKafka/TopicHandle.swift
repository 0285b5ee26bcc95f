import CRdKafka

/// An `rd_kafka_topic_t` reference, destroyed before its client (it holds the client alive).
///
/// `@unchecked Sendable`: topic handles are thread-safe in librdkafka.
final class TopicHandle: @unchecked Sendable {
    let pointer: OpaquePointer
    let name: String
    private let client: RDKafkaClient

    init(_ pointer: OpaquePointer, client: RDKafkaClient) {
        self.pointer = pointer
        self.name = String(cString: rd_kafka_topic_name(pointer))
        self.client = client
    }

    deinit {
        rd_kafka_topic_destroy(pointer)
    }
}
