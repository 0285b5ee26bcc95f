import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A fixture server from Tests/Fixtures (http_fixture.py, smtp_fixture.py), shared by the test
/// targets that talk to real servers. The script prints `PORT=<n>` when it listens and exits when its
/// stdin closes, so it ends with the test process. Safe to send: every stored property is immutable
/// after `init`.
public final class Fixture: @unchecked Sendable {
    public let port: Int
    /// For the SMTP fixture: where it stores each message as `<n>.json`.
    public let directory: String?
    /// `https` for a fixture started with `--tls`.
    public let scheme: String
    private let process: Process
    private let stdinPipe: Pipe

    /// Started on first use; a `Result`, so that a fixture that cannot start fails the tests that need
    /// it with its reason instead of crashing the test process.
    public static let httpResult = Result { try Fixture(script: "http_fixture.py") }
    /// The same fixture over HTTPS with a throwaway self-signed certificate.
    public static let httpsResult = Result { try Fixture(script: "http_fixture.py", arguments: ["--tls"]) }
    public static let smtpPassword = "pw-" + UUID().uuidString.prefix(12).lowercased()
    private static let smtpResult = Result { () throws -> Fixture in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-test-mail-\(UUID().uuidString)").path
        return try Fixture(script: "smtp_fixture.py", arguments: [dir, "--credentials", "flow:\(smtpPassword)"], directory: dir)
    }

    /// The HTTP fixture, started on first use. Starting waits for the script to print its port: that
    /// happens off the cooperative pool, which the other tests need meanwhile.
    public static func http() async throws -> Fixture { try await offThePool { try httpResult.get() } }
    /// The SMTP fixture, accepting AUTH as flow / ``smtpPassword``.
    public static func smtp() async throws -> Fixture { try await offThePool { try smtpResult.get() } }

    public static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    public init(script: String, arguments: [String] = [], directory: String? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixturesDirectory.appendingPathComponent(script).path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONWARNINGS"] = "ignore"
        process.environment = environment
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        try process.run()
        var output = Data()
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil, Date() < deadline {
            let chunk = stdoutPipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += chunk
            if let line = String(decoding: output, as: UTF8.self).split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }) {
                port = Int(line.dropFirst(5))
            }
        }
        guard let port else {
            process.terminate()
            throw FixtureError(message: "\(script) printed no port: \(String(decoding: output, as: UTF8.self))")
        }
        self.port = port
        self.directory = directory
        scheme = arguments.contains("--tls") ? "https" : "http"
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// Ends the server (closing its stdin is enough; terminate in case it hangs).
    public func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    public func url(_ path: String, scheme: String? = nil) -> String { "\(scheme ?? self.scheme)://127.0.0.1:\(port)\(path)" }

    /// What `/hooks/{key}` recorded: the number of calls and the bodies that were accepted.
    public func hooks(_ key: String) async throws -> (calls: Int, requests: [[String: Any]]) {
        let address = url("/hooks/\(key)")
        let data = try await offThePool { try Data(contentsOf: URL(string: address)!) }
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (object["calls"] as? Int ?? 0, object["requests"] as? [[String: Any]] ?? [])
    }

    /// The messages the SMTP fixture stored whose recipients include `recipient`, waiting up to `timeout`.
    public func mails(to recipient: String, timeout: TimeInterval = 10) async -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            var found: [[String: Any]] = []
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory ?? "")) ?? [] where name.hasSuffix(".json") {
                guard let data = FileManager.default.contents(atPath: (directory ?? "") + "/" + name),
                      let mail = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                      (mail["rcptTos"] as? [String] ?? []).contains(recipient) else { continue }
                found.append(mail)
            }
            if !found.isEmpty || Date() > deadline { return found }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A port on 127.0.0.1 with nothing listening (bound, then closed again).
public func unusedPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
            _ = bind(fd, sockaddrPointer, length)
            _ = getsockname(fd, sockaddrPointer, &length)
        }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A fresh key for `/hook/{key}`, unique per test.
public func hookKey(_ name: String) -> String { name + "-" + UUID().uuidString.prefix(8).lowercased() }

/// Runs blocking work (a child process, a synchronous read) on a thread of its own, so that it does not
/// hold one of the few threads of Swift's cooperative pool (two on this CI machine) that the other tests
/// need. Dispatch's global queues are not used: on Linux they may share threads with that pool.
public func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
