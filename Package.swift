// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "flow",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
    ],
    dependencies: [
        // YAML on libyaml. 5.0.1 rather than 6.x: 6.x throws on the first duplicate mapping key,
        // while flow reports every duplicate with its position (see docs/architecture.md).
        .package(url: "https://github.com/jpsim/Yams.git", exact: "5.0.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
    ],
    targets: [
        // MARK: JSON value type: the record on every edge. No dependencies beyond its own C loops.
        // CJSONScan: the scanner's sixteen-bytes-at-a-time loops in C (SSE2).
        .target(name: "CJSONScan"),
        .target(name: "FlowJSON", dependencies: ["CJSONScan"]),
        .testTarget(name: "FlowJSONTests", dependencies: ["FlowJSON"]),
        // Validation throughput on the products benchmark's pages: swift run -c release JSONValidateBench.
        .executableTarget(name: "JSONValidateBench", dependencies: ["FlowJSON"], path: "Benchmarks/JSONValidateBench"),

        // MARK: Kafka: librdkafka, seen only by FlowKafka.
        // Tests run against the tansu test broker and a librdkafka >= 2.2 put on LD_LIBRARY_PATH by
        // scripts/services/kafka.sh (Debian's 2.0.2 cannot talk to tansu; see docs/kafka.md).
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        // Typed wrapper for the variadic rd_kafka_producev.
        .target(name: "CRdKafkaShim", dependencies: ["CRdKafka"]),
        .target(name: "FlowKafka", dependencies: ["CRdKafka", "CRdKafkaShim"]),
        .testTarget(name: "FlowKafkaTests", dependencies: ["FlowKafka", "FlowTestSupport"]),
        // Producer throughput against kcat: scripts/bench/kafka-produce.sh.
        .executableTarget(
            name: "KafkaProduceBench", dependencies: ["FlowKafka"], path: "Benchmarks/KafkaProduceBench"),

        // MARK: JSONata expression engine over FlowJSON values.
        .target(name: "JSONata", dependencies: ["FlowJSON"]),
        .testTarget(name: "JSONataTests", dependencies: ["JSONata"], resources: [.copy("Resources")]),

        // MARK: PostgreSQL client on libpq. `CLibPQ` is imported by `FlowPostgres` only; everything else
        // talks to the async Swift API. Integration tests need `scripts/services/postgres.sh start`.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "FlowPostgres", dependencies: ["CLibPQ"]),
        .testTarget(name: "FlowPostgresTests", dependencies: ["FlowPostgres"]),

        // MARK: HTTP and SMTP client on libcurl. FlowHTTP is the only Swift module that sees CCurl/CCurlShim.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Typed wrappers for curl's variadic setopt/getinfo, which Swift cannot import.
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(name: "FlowHTTP", dependencies: ["CCurl", "CCurlShim"]),
        // Talks to real servers on 127.0.0.1 started by the tests (Tests/Fixtures).
        .testTarget(name: "FlowHTTPTests", dependencies: ["FlowHTTP", "FlowTestSupport"]),
        // Shared by the test targets that start the Python fixture servers (Tests/Fixtures).
        .target(name: "FlowTestSupport", path: "Tests/FlowTestSupport"),

        // MARK: RFC 9535 JSONPath over FlowJSON values, with I-Regexp (RFC 9485) for match()/search().
        .target(name: "JSONPath", dependencies: ["FlowJSON"]),
        // Resources/cts: the JSONPath Compliance Test Suite (BSD-2-Clause, LICENSE and NOTICE beside it).
        .testTarget(name: "JSONPathTests", dependencies: ["JSONPath"], resources: [.copy("Resources")]),

        // MARK: Engine core: model, loading, diagnostics, graph, scheduler, record streams.
        // Knows nothing of HTTP, SQL or Kafka.
        .target(
            name: "FlowCore",
            dependencies: [
                "FlowJSON",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore"]),

        // MARK: JSONata plugged into the engine's expression interface.
        .target(name: "FlowExpressions", dependencies: ["FlowCore", "FlowJSON", "JSONata"]),
        .testTarget(name: "FlowExpressionsTests", dependencies: ["FlowExpressions", "FlowCore", "FlowJSON"]),

        // MARK: SQLite (embedded database and run-state store). FlowSQLite is the only importer.
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "FlowSQLite", dependencies: ["CSQLite"]),

        // MARK: Run store: recorded runs in SQLite (`flow runs`).
        .target(name: "FlowRunStore", dependencies: ["FlowCore", "FlowSQLite", "FlowJSON"]),

        // MARK: Notifications: Slack, email and webhook messages about runs (workflow `notify:` rules and
        // the `notify` node), sent through FlowHTTP with retries.
        .target(name: "FlowNotify", dependencies: ["FlowCore", "FlowJSON", "FlowHTTP"]),
        // Talks to the real HTTP and SMTP fixtures (Tests/Fixtures) it starts itself.
        .testTarget(name: "FlowNotifyTests", dependencies: ["FlowNotify", "FlowCore", "FlowJSON", "FlowHTTP", "FlowTestSupport"]),

        // MARK: Built-in node types, one folder each under nodes/.
        .target(
            name: "FlowNodes",
            dependencies: ["FlowCore", "FlowJSON", "JSONPath", "FlowNotify", "FlowHTTP", "FlowPostgres", "FlowSQLite", "FlowKafka"],
            path: "nodes"
        ),
        // FlowExpressions only in the tests: they run nodes with the JSONata language the CLI uses.
        // Kafka*Tests run against the tansu test broker (scripts/services.sh start kafka); FlowKafka only
        // for checking the loaded librdkafka version.
        .testTarget(
            name: "FlowNodesTests",
            dependencies: ["FlowNodes", "FlowCore", "FlowJSON", "JSONPath", "FlowPostgres", "FlowSQLite", "FlowExpressions", "FlowKafka",
                           "FlowTestSupport"]
        ),

        // MARK: Command line: one file per subcommand; the executable is a one-line entry point.
        .target(
            name: "FlowCLI",
            dependencies: [
                "FlowCore", "FlowNodes", "FlowNotify", "FlowRunStore", "FlowJSON", "JSONPath", "FlowExpressions", "JSONata",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "flow", dependencies: ["FlowCLI"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowCLI", "FlowCore", "FlowNodes", "FlowJSON", "FlowTestSupport"]),
    ]
)
