import Testing

@testable import FlowKafka

extension KafkaIntegrationTests {
    @Suite struct BadBroker {
        /// A port nothing listens on, and a host name that cannot resolve (.invalid is reserved).
        static let addresses = ["127.0.0.1:1", "flow-no-such-broker.invalid:9092"]

        @Test(arguments: addresses) func producerFailsWithinTheConnectTimeout(address: String) async throws {
            _ = try TestBroker.brokers()
            let start = ContinuousClock.now
            let error = await #expect(throws: KafkaError.self) {
                _ = try await KafkaProducer(brokers: address, connectTimeout: .seconds(2))
            }
            #expect(ContinuousClock.now - start < .seconds(6))
            #expect(error?.name == "CONNECTION")
            #expect(error?.description.contains(address) == true, "\(String(describing: error))")
        }

        @Test(arguments: addresses) func consumerFailsWithinTheConnectTimeout(address: String) async throws {
            _ = try TestBroker.brokers()
            let start = ContinuousClock.now
            let error = await #expect(throws: KafkaError.self) {
                _ = try await KafkaConsumer(
                    brokers: address, groupID: "unused", topics: ["unused"], start: .earliest,
                    connectTimeout: .seconds(2))
            }
            #expect(ContinuousClock.now - start < .seconds(6))
            #expect(error?.name == "CONNECTION")
            #expect(error?.description.contains(address) == true, "\(String(describing: error))")
        }

        @Test func invalidPropertyIsAConfigurationErrorThatHidesSecrets() async throws {
            let brokers = try TestBroker.brokers()
            let error = await #expect(throws: KafkaError.self) {
                _ = try await KafkaProducer(brokers: brokers, config: ["acks": "sometimes"])
            }
            #expect(error?.name == "CONFIGURATION")
            #expect(error?.description.contains("acks") == true)

            let secret = await #expect(throws: KafkaError.self) {
                _ = try await KafkaProducer(brokers: brokers, config: ["sasl.kerberos.min.time.before.relogin": "hunter2-SECRET"])
            }
            #expect(secret?.description.contains("sasl.kerberos.min.time.before.relogin") == true)
            #expect(secret?.description.contains("hunter2-SECRET") == false, "\(String(describing: secret))")
        }

        @Test func descriptionsMaskSecrets() async throws {
            let brokers = try TestBroker.brokers()
            let producer = try await KafkaProducer(
                brokers: brokers, config: ["sasl.username": "me", "ssl.key.password": "pw-SECRET", "client.id": "flow"])
            #expect(!producer.description.contains("SECRET"))
            #expect(!producer.description.contains("=me"))
            #expect(producer.description.contains("client.id=flow"))
            await producer.close(deadline: .now + .seconds(5))
        }
    }
}
