import CRdKafka
import Synchronization

/// The consumer's callback context: assignment state and records fetched ahead of a `poll`.
final class ConsumerContext: RDKafkaContext, @unchecked Sendable {
    private struct State {
        var assignments = 0
        var buffered: [KafkaConsumerMessage] = []
        var pendingError: KafkaError?
    }

    private let state = Mutex(State())

    var hasAssignment: Bool { state.withLock { $0.assignments > 0 } }

    func assigned() { state.withLock { $0.assignments += 1 } }

    func revoked(_ partitions: Set<KafkaTopicPartition>) {
        // Records of revoked partitions go to their next owner; never return them from here.
        state.withLock { $0.buffered.removeAll { partitions.contains($0.topicPartition) } }
    }

    func buffer(_ message: KafkaConsumerMessage) { state.withLock { $0.buffered.append(message) } }

    func takeBuffered(max: Int) -> [KafkaConsumerMessage] {
        state.withLock { state in
            let taken = Array(state.buffered.prefix(max))
            state.buffered.removeFirst(taken.count)
            return taken
        }
    }

    func setPendingError(_ error: KafkaError) { state.withLock { $0.pendingError = error } }

    func takePendingError() -> KafkaError? {
        state.withLock { state in
            defer { state.pendingError = nil }
            return state.pendingError
        }
    }
}

/// Called by librdkafka inside `rd_kafka_consumer_poll` (the consumer's thread) when the group
/// assigns or revokes partitions. Registering it turns off librdkafka's automatic assignment, so it
/// must assign/unassign itself, incrementally for the cooperative protocol.
func rebalanceCallback(
    _ handle: OpaquePointer?, _ error: rd_kafka_resp_err_t,
    _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, _ opaque: UnsafeMutableRawPointer?
) {
    guard let handle, let context = RDKafkaContext.from(opaque) as? ConsumerContext else { return }
    let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
    if error == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS {
        if cooperative {
            if let failure = rd_kafka_incremental_assign(handle, partitions) { rd_kafka_error_destroy(failure) }
        } else {
            rd_kafka_assign(handle, partitions)
        }
        context.assigned()
    } else {
        var revoked = Set<KafkaTopicPartition>()
        if let partitions {
            for index in 0..<Int(partitions.pointee.cnt) {
                let element = partitions.pointee.elems[index]
                revoked.insert(KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition))
            }
        }
        context.revoked(revoked)
        if cooperative {
            if let failure = rd_kafka_incremental_unassign(handle, partitions) { rd_kafka_error_destroy(failure) }
        } else {
            rd_kafka_assign(handle, nil)
        }
    }
}
