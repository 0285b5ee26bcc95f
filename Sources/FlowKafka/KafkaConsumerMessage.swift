import CRdKafka

/// A record read by `KafkaConsumer.poll`, with its bytes copied out of librdkafka.
public struct KafkaConsumerMessage: Sendable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// nil when the record has no key.
    public var key: [UInt8]?
    /// nil for a null value (a tombstone); empty for an empty value.
    public var value: [UInt8]?
    /// Milliseconds since the Unix epoch (create or log-append time), nil when the broker gave none.
    public var timestamp: Int64?
    public var headers: [(String, [UInt8])]

    public var topicPartition: KafkaTopicPartition {
        KafkaTopicPartition(topic: topic, partition: partition)
    }

    public init(
        topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8]?, timestamp: Int64?,
        headers: [(String, [UInt8])]
    ) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.timestamp = timestamp
        self.headers = headers
    }

    /// Copies a fetched message; the caller still destroys `message`.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>) {
        let m = message.pointee
        topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
        partition = m.partition
        offset = m.offset
        key = m.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        value = m.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: m.len)) }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let milliseconds = rd_kafka_message_timestamp(message, &timestampType)
        timestamp = timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : milliseconds
        headers = []
        var list: OpaquePointer?
        if rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list {
            let count = rd_kafka_header_cnt(list)
            headers.reserveCapacity(count)
            for index in 0..<count {
                var name: UnsafePointer<CChar>?
                var bytes: UnsafeRawPointer?
                var size = 0
                if rd_kafka_header_get_all(list, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR,
                    let name
                {
                    headers.append((String(cString: name), [UInt8](UnsafeRawBufferPointer(start: bytes, count: size))))
                }
            }
        }
    }
}
