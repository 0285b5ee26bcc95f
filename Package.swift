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

        // MARK: JSONata expression engine over FlowJSON values.
        .target(name: "JSONata", dependencies: ["FlowJSON"]),
        .testTarget(name: "JSONataTests", dependencies: ["JSONata"], resources: [.copy("Resources")]),
    ]
)
