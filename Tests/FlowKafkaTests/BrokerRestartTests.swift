import FlowTestSupport
import Foundation
import Synchronization
import Testing

@testable import FlowKafka

extension KafkaIntegrationTests {
    @Suite struct BrokerRestart {
        /// tansu keeps data in memory, so records written before the restart are gone afterwards: this
        /// checks the producer's accounting (every record delivered or reported failed), not the data.
        /// Idempotent (the default): tansu forgets producer ids on restart, so librdkafka raises a fatal
        /// UNKNOWN_PRODUCER_ID or records time out. Not idempotent: records are retried on the new broker.
        @Test(arguments: [true, false])
        func everyRecordIsDeliveredOrReportedFailedAcrossARestart(idempotent: Bool) async throws {
            _ = try TestBroker.brokers()
            // Its own broker: a restart of the shared one would disturb tests in other targets.
            let broker = try await PrivateBroker.start()
            let brokers = broker.brokers
            let topic = TestBroker.uniqueName("restart")
            let producer = try await KafkaProducer(
                brokers: brokers,
                config: ["message.timeout.ms": "10000", "linger.ms": "5", "enable.idempotence": "\(idempotent)"])
            let value = [UInt8](repeating: 0x61, count: 100)
            let restarted = Flag()
            var attempted = 0
            var sentAfterRestart = 0
            var refused: KafkaError?

            try await withThrowingTaskGroup(of: Void.self) { group in
                // Send before, during and well after the restart, yielding so the restart runs meanwhile.
                sending: while sentAfterRestart < 50_000 && attempted < 2_000_000 {
                    if attempted == 20_000 {
                        group.addTask {
                            defer { restarted.set() }  // also on failure, which waitForAll rethrows
                            try await broker.restart()
                        }
                    }
                    for _ in 0..<1_000 {
                        attempted += 1
                        if restarted.isSet { sentAfterRestart += 1 }
                        do {
                            try await producer.send(
                                topic: topic, key: Array("k\(attempted % 16)".utf8), value: value)
                        } catch let error as KafkaError {
                            refused = error  // e.g. a fatal idempotence error: reported, never silent
                            break sending
                        }
                    }
                    await Task.yield()
                }
                try await group.waitForAll()
            }

            let counts = await producer.flush(deadline: .now + .seconds(60))
            let accepted = attempted - (refused == nil ? 0 : 1)
            print(
                "broker restart (idempotent: \(idempotent)): attempted \(attempted) (\(sentAfterRestart) after the restart), accepted \(counts.sent), delivered \(counts.delivered), "
                    + "failed \(counts.failed), first error: \(counts.firstError.map(String.init(describing:)) ?? "none"), "
                    + "refused: \(refused.map(String.init(describing:)) ?? "none")")
            #expect(counts.sent == accepted)
            #expect(counts.pending == 0)
            #expect(counts.delivered + counts.failed == counts.sent)
            #expect((counts.failed == 0) == (counts.firstError == nil))
            #expect(counts.firstError?.description.contains("aaaaaaaa") != true, "record bytes leaked into the error")
            let closed = await producer.close(deadline: .now + .seconds(5))
            #expect(closed.pending == 0)

            // The restarted broker serves new producers.
            try await TestBroker.produce(10, to: TestBroker.uniqueName("after-restart"), brokers: brokers)
            await broker.stop()
        }
    }
}

/// A flag one task sets and another reads.
private final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
}
