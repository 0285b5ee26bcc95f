import Foundation

/// Tests/Fixtures/http_fixture.py on a free port of 127.0.0.1, started once per test process.
///
/// The script prints `PORT=<n>` when it listens and exits when its stdin closes; the write end of that
/// pipe stays open for the life of the process, so the server ends with the test run. Safe to send:
/// every stored property is immutable after `init`.
final class HTTPFixture: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let stdinPipe: Pipe

    /// A `Result`, so that a fixture that cannot start fails the tests that need it with its reason.
    static let shared = Result { try HTTPFixture() }
    /// The same fixture over HTTPS with a throwaway self-signed certificate.
    static let tls = Result { try HTTPFixture(arguments: ["--tls"]) }

    static var script: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/http_fixture.py")
    }

    let scheme: String

    init(arguments: [String] = []) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script.path] + arguments
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
            let text = String(decoding: output, as: UTF8.self)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("PORT=") }) { port = Int(line.dropFirst(5)) }
        }
        guard let port else {
            process.terminate()
            throw HTTPFixtureError(description: "http_fixture.py printed no port: \(String(decoding: output, as: UTF8.self))")
        }
        self.port = port
        self.process = process
        self.stdinPipe = stdinPipe
        scheme = arguments.contains("--tls") ? "https" : "http"
    }

    deinit {
        try? stdinPipe.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
    }

    func url(_ path: String) -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }
}

struct HTTPFixtureError: Error, CustomStringConvertible {
    let description: String
}
