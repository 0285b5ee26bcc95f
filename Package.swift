// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "flow",
    platforms: [.macOS(.v15)],
    products: [

    ],
    dependencies: [
        // YAML on libyaml. 5.0.1 rather than 6.x: 6.x throws on the first duplicate mapping key,
        // while flow reports every duplicate with its position (see docs/architecture.md).
        .package(url: "https://github.com/jpsim/Yams.git", exact: "5.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // MARK: JSON value type: the record on every edge. No dependencies.
        .target(name: "FlowJSON"),
        .testTarget(name: "FlowJSONTests", dependencies: ["FlowJSON"]),

        // MARK: Kafka: librdkafka, seen only by FlowKafka.
        // Tests run against the tansu test broker and a librdkafka >= 2.2 put on LD_LIBRARY_PATH by
        // scripts/services/kafka.sh (Debian's 2.0.2 cannot talk to tansu; see docs/kafka.md).
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // Typed wrapper for the variadic rd_kafka_producev.
        .target(name: "CRdKafkaShim", dependencies: ["CRdKafka"]),
        .target(name: "FlowKafka", dependencies: ["CRdKafka", "CRdKafkaShim"]),
        .testTarget(name: "FlowKafkaTests", dependencies: ["FlowKafka"]),
        // Producer throughput against kcat: scripts/bench/kafka-produce.sh.
        .executableTarget(
            name: "KafkaProduceBench", dependencies: ["FlowKafka"], path: "Benchmarks/KafkaProduceBench"),
    ]
)
