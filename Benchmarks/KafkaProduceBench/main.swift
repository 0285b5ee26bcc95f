// Produces N records of S bytes through FlowKafka and prints records/s, for comparison with
// `kcat -P` (scripts/bench/kafka-produce.sh runs both).
//
//   kafka-produce-bench BROKERS TOPIC [COUNT] [SIZE] [key=value ...librdkafka properties]
import FlowKafka

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3 else {
    print("usage: kafka-produce-bench BROKERS TOPIC [COUNT] [SIZE] [property=value ...]")
    exit(2)
}
let brokers = arguments[1]
let topic = arguments[2]
let count = arguments.count > 3 ? Int(arguments[3])! : 1_000_000
let size = arguments.count > 4 ? Int(arguments[4])! : 200
var config: [String: String] = [:]
for pair in arguments.dropFirst(5) {
    let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
    config[parts[0]] = parts[1]
}

let producer = try await KafkaProducer(brokers: brokers, config: config)
let value = [UInt8](repeating: UInt8(ascii: "x"), count: size)
let start = ContinuousClock.now
for _ in 0..<count {
    try await producer.send(topic: topic, value: value)
}
let enqueued = ContinuousClock.now - start
let counts = await producer.close(deadline: .now + .seconds(300))
let elapsed = ContinuousClock.now - start
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print(
    "flowkafka: \(counts.delivered) delivered, \(counts.failed) failed in \(elapsed) "
        + "(enqueued in \(enqueued)): \(Int(Double(counts.delivered) / seconds)) records/s")
