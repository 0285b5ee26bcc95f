import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A fixture server from Tests/Fixtures (http_fixture.py, smtp_fixture.py), started once per test
/// process. The script prints `PORT=<n>` when it listens and exits when its stdin closes, so it ends
/// with the test process. Safe to send: every stored property is immutable after `init`.
final class Fixture: @unchecked Sendable {
    let port: Int
    /// For the SMTP fixture: where it stores each message as `<n>.json`.
    let directory: String?
    private let process: Process
    private let stdinPipe: Pipe

    private static let httpResult = Result { try Fixture(script: "http_fixture.py") }
    static let smtpPassword = "pw-" + UUID().uuidString.prefix(12).lowercased()
    private static let smtpResult = Result { () throws -> Fixture in
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flow-notify-mail-\(UUID().uuidString)").path
        return try Fixture(script: "smtp_fixture.py", arguments: [dir, "--credentials", "flow:\(smtpPassword)"], directory: dir)
    }

    /// The HTTP fixture, started on first use. Starting waits for the script to print its port: that
    /// happens off the cooperative pool, which the other tests need meanwhile.
    static func http() async throws -> Fixture { try await offThePool { try httpResult.get() } }
    /// The SMTP fixture, accepting AUTH as flow / ``smtpPassword``.
    static func smtp() async throws -> Fixture { try await offThePool { try smtpResult.get() } }

    static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    init(script: String, arguments: [String] = [], directory: String? = nil) throws {
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
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// What `/hooks/{key}` recorded: the number of calls and the bodies that were accepted.
    func hooks(_ key: String) async throws -> (calls: Int, requests: [[String: Any]]) {
        let address = url("/hooks/\(key)")
        let data = try await offThePool { try Data(contentsOf: URL(string: address)!) }
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (object["calls"] as? Int ?? 0, object["requests"] as? [[String: Any]] ?? [])
    }

    /// The messages the SMTP fixture stored whose recipients include `recipient`, waiting up to `timeout`.
    func mails(to recipient: String, timeout: TimeInterval = 10) async -> [[String: Any]] {
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

struct FixtureError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// A port on 127.0.0.1 with nothing listening (bound, then closed again).
func unusedPort() -> Int {
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
func hookKey(_ name: String) -> String { name + "-" + UUID().uuidString.prefix(8).lowercased() }

/// Runs blocking work (a child process, a synchronous read) on a thread of its own, so that it does not
/// hold one of the few threads of Swift's cooperative pool (two on this CI machine) that the other tests
/// need. Dispatch's global queues are not used: on Linux they may share threads with that pool.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
