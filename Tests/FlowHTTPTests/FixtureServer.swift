import Foundation
import FlowHTTP
import Testing

/// A fixture server from Tests/Fixtures, started once per test process.
///
/// The script prints `PORT=<n>` when it listens and exits when its stdin closes; we keep the write end of
/// that pipe open for the life of the process, so the server ends with the test run even if the tests
/// crash. Safe to send: all stored properties are immutable after `init`, and `Process`/`Pipe` are only
/// kept to hold the child and the pipe open.
final class FixtureServer: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let stdinPipe: Pipe

    /// The HTTP fixture (http_fixture.py). A `Result`, so that a fixture that cannot start fails the
    /// tests that need it with its reason instead of crashing the test process.
    static let http = Result { try FixtureServer(script: "http_fixture.py") }
    /// The same fixture over HTTPS with a self-signed certificate.
    static let https = Result { try FixtureServer(script: "http_fixture.py", arguments: ["--tls"]) }

    static var fixturesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    init(script: String, arguments: [String] = []) throws {
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
            if chunk.isEmpty { break }  // EOF: the script died
            output += chunk
            let text = String(decoding: output, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }) {
                port = Int(line.dropFirst(5))
            }
        }
        guard let port else {
            process.terminate()
            throw FixtureError(message: "\(script) printed no port: \(String(decoding: output, as: UTF8.self))")
        }
        self.port = port
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// Ends the server (closing its stdin is enough; terminate in case it hangs).
    func stop() {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    func url(_ path: String, scheme: String = "http") -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }
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

/// The JSON object that /echo returns.
struct Echo {
    let json: [String: Any]

    init(_ body: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw FixtureError(message: "echo body is not a JSON object")
        }
        json = object
    }

    var method: String? { json["method"] as? String }
    var path: String? { json["path"] as? String }
    var query: String? { json["query"] as? String }
    var body: String? { json["body"] as? String }
    var bodyBytes: [UInt8] {
        (json["bodyBase64"] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
    }
    var clientPort: Int? { json["clientPort"] as? Int }

    var headers: [(String, String)] {
        (json["headers"] as? [[String]] ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Elapsed wall-clock time of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}

/// The error `body` throws, or nil when it succeeds.
func failure<T>(_ body: () async throws(HTTPClientError) -> T) async -> HTTPClientError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
