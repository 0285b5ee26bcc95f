import CRdKafka
import CRdKafkaShim

/// Small helpers at the C boundary.
enum RDKafka {
    /// `RD_KAFKA_PARTITION_UA` (a cast macro Swift does not import).
    static let unassignedPartition: Int32 = -1

    /// One byte to point at for empty keys and values: librdkafka treats a NULL pointer as a null
    /// key/value (a tombstone), which differs from an empty one.
    nonisolated(unsafe) private static let emptyByte: UnsafeMutableRawPointer = {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)
        pointer.storeBytes(of: 0, as: UInt8.self)
        return pointer
    }()

    static func produce(
        _ handle: OpaquePointer, topic: OpaquePointer, partition: Int32, key: [UInt8]?, value: [UInt8],
        headers: [(String, [UInt8])]
    ) -> rd_kafka_resp_err_t {
        var headerList: OpaquePointer?
        if !headers.isEmpty {
            let list = rd_kafka_headers_new(headers.count)!
            for (name, bytes) in headers {
                _ = bytes.withUnsafeBytes { rd_kafka_header_add(list, name, -1, $0.baseAddress ?? UnsafeRawPointer(emptyByte), $0.count) }
            }
            headerList = list
        }
        let result = value.withUnsafeBytes { valueBytes in
            let valuePointer = valueBytes.baseAddress ?? UnsafeRawPointer(emptyByte)
            guard let key else {
                return flow_rdkafka_produce(
                    handle, topic, partition, nil, 0, valuePointer, valueBytes.count, headerList)
            }
            return key.withUnsafeBytes { keyBytes in
                flow_rdkafka_produce(
                    handle, topic, partition, keyBytes.baseAddress ?? UnsafeRawPointer(emptyByte), keyBytes.count,
                    valuePointer, valueBytes.count, headerList)
            }
        }
        if result != RD_KAFKA_RESP_ERR_NO_ERROR, let headerList {
            rd_kafka_headers_destroy(headerList)  // still ours when the produce failed
        }
        return result
    }
}
