import CRdKafka

/// The librdkafka the process actually loaded (which may differ from the headers it was built with).
public enum KafkaLibrary {
    /// e.g. "2.16.0".
    public static var version: String { String(cString: rd_kafka_version_str()) }

    /// `0xMMmmrrxx` as librdkafka encodes it (2.2.0 is 0x020200ff).
    public static var versionNumber: Int { Int(rd_kafka_version()) }
}
