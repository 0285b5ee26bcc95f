import Foundation

/// Runs the built `flow` executable, as a user would, and captures what it prints.
///
/// The binary is the one SwiftPM built next to the test bundle (`swift build && swift test`), or
/// `$FLOW_BINARY` when set.
enum FlowBinary {
    /// What a run printed, and its exit status (`-1` when the binary could not be started).
    typealias Output = (status: Int32, stdout: String, stderr: String)

    /// The package root: three levels above this file (`Tests/FlowCLITests/Support/`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `flow` executable to test.
    static let path: String = {
        if let explicit = ProcessInfo.processInfo.environment["FLOW_BINARY"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        // The test runner lives in the same build directory as the products.
        if let runner = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var dir = runner.deletingLastPathComponent()
            // On macOS the runner is inside `flowPackageTests.xctest/Contents/MacOS`.
            while dir.path.contains(".xctest") { dir = dir.deletingLastPathComponent() }
            candidates.append(dir.appendingPathComponent("flow").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/flow").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates.last!
    }()

    /// Runs `flow args...` to completion. `stdin` is written to its standard input (empty when nil);
    /// `env` is added to the inherited environment (with `NO_COLOR` set, for stable output).
    static func run(_ args: [String], stdin: String? = nil, cwd: String? = nil, env: [String: String] = [:]) -> Output {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flow-cli-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        // Files rather than pipes: no deadlock however much either stream receives.
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        for (key, value) in env { environment[key] = value }
        process.environment = environment
        do {
            let input = try FileHandle(forReadingFrom: inURL)
            let output = try FileHandle(forWritingTo: outURL)
            let error = try FileHandle(forWritingTo: errURL)
            defer {
                try? input.close()
                try? output.close()
                try? error.close()
            }
            process.standardInput = input
            process.standardOutput = output
            process.standardError = error
            try process.run()
            process.waitUntilExit()
        } catch {
            return (-1, "", "cannot run \(path): \(error)")
        }
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }
}
