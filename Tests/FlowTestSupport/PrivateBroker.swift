import Foundation

/// A Kafka-protocol broker of its own for a test that restarts it, so the restart disturbs no other
/// test (suites in other test targets run against the shared broker). Started and stopped with
/// `scripts/services/kafka.sh` on a free port and in a scratch services directory.
public struct PrivateBroker: Sendable {
    public let brokers: String
    private let environment: [String: String]

    public static func start() async throws -> PrivateBroker {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("flow-kafka-private-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let port = unusedPort()
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_KAFKA_PORT"] = String(port)
        environment["FLOW_SERVICES_DIR"] = directory
        let broker = PrivateBroker(brokers: "127.0.0.1:\(port)", environment: environment)
        try await broker.script("start")
        return broker
    }

    public func restart() async throws { try await script("restart") }

    public func stop() async { try? await script("stop") }

    private func script(_ action: String) async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent("scripts/services/kafka.sh")
        process.arguments = [action]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        while process.isRunning {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard process.terminationStatus == 0 else {
            throw FixtureError(message: "scripts/services/kafka.sh \(action) failed with status \(process.terminationStatus)")
        }
    }
}
