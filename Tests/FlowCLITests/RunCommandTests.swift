import FlowJSON
import Foundation
import Testing

@Suite struct RunCommandTests {
    static let pipeline = """
        name: copy
        params:
          limit: { type: integer, default: 2 }
        nodes:
          src:
            type: file_input
            path: in.csv
            infer_types: true
          out:
            type: file_output
            input: src
            path: out.ndjson
        """

    @Test func runsAndSummarises() {
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("in.csv", "id,name\n1,Ada\n2,\"Grace, H.\"\n")
        let file = dir.write("copy.yaml", Self.pipeline)
        let r = FlowBinary.run(["run", file], env: dir.env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(dir.read("out.ndjson") == "{\"id\":1,\"name\":\"Ada\"}\n{\"id\":2,\"name\":\"Grace, H.\"}\n")
        #expect(r.stdout.contains("src   file_input   succeeded"))
        #expect(r.stdout.contains(" succeeded in "))
        // Not a terminal: plain log lines on stderr.
        #expect(r.stderr.contains("src: started"))
        #expect(r.stderr.contains("out: succeeded"))
    }

    @Test func failedRunExitsOneWithTheNodesError() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("copy.yaml", Self.pipeline)  // in.csv is missing
        let r = FlowBinary.run(["run", file], env: dir.env)
        #expect(r.status == 1)
        #expect(r.stdout.contains("error: node `src` (file_input) failed: cannot open `\(dir.path)/in.csv`: No such file or directory"))
        #expect(r.stdout.contains("out   file_output  upstream_failed"))
    }

    @Test func invalidWorkflowExitsTwo() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("bad.yaml", "nodes: [1, 2]\n")
        let r = FlowBinary.run(["run", file], env: dir.env)
        #expect(r.status == 2)
        #expect(r.stderr.contains("error: `nodes` must be a mapping from node id to node"))
        let unknownParam = FlowBinary.run(["run", dir.write("ok.yaml", Self.pipeline), "--param", "limt=3"], env: dir.env)
        #expect(unknownParam.status == 2)
        #expect(unknownParam.stderr.contains("unknown parameter `limt` given with --param"))
        #expect(unknownParam.stderr.contains("did you mean `limit`?"))
    }

    @Test func jsonLogFormatPrintsOneObjectPerLine() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("in.csv", "id\n1\n")
        let file = dir.write("copy.yaml", Self.pipeline)
        let r = FlowBinary.run(["run", file, "--log-format", "json"], env: dir.env)
        #expect(r.status == 0, "\(r.stderr)")
        let logLines = r.stderr.split(separator: "\n")
        #expect(logLines.count >= 4)
        for line in logLines {
            let object = try JSONParser.parse(String(line))
            #expect(object["ts"] != nil && object["level"] != nil && object["event"] != nil)
        }
        let summary = try JSONParser.parse(r.stdout)
        #expect(summary["event"] == "run_finished")
        #expect(summary["status"] == "succeeded")
        #expect(summary["nodes"]?[0]?["records_out"] == 1)
    }

    @Test func runsAreRecordedAndShown() throws {
        let dir = TempDir()
        defer { dir.remove() }
        dir.write("in.csv", "id\n1\n2\n3\n")
        let file = dir.write("copy.yaml", Self.pipeline)
        let first = FlowBinary.run(["run", file, "--param", "limit=5"], env: dir.env)
        #expect(first.status == 0)
        let runID = try #require(first.stdout.split(separator: " ").drop { $0 != "\nrun" && !$0.hasSuffix("run") }.dropFirst().first)
        let list = FlowBinary.run(["runs"], env: dir.env)
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.contains(String(runID)))
        #expect(list.stdout.contains("copy      succeeded"))
        let show = FlowBinary.run(["runs", "show", String(runID.prefix(18))], env: dir.env)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("status    succeeded"))
        #expect(show.stdout.contains("limit = 5"))
        #expect(show.stdout.contains("src   file_input   succeeded"))
        let missing = FlowBinary.run(["runs", "show", "nope"], env: dir.env)
        #expect(missing.status == 2)
    }

    @Test func interruptCancelsAndRecordsTheRun() throws {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("slow.yaml", "nodes:\n  wait: { type: sleep, duration: 60s }\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: FlowBinary.path)
        process.arguments = ["run", file]
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_HOME"] = dir.env["FLOW_HOME"]
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Wait until the node runs, then press Ctrl-C.
        let deadline = Date().addingTimeInterval(20)
        var seen = Data()
        while Date() < deadline {
            seen.append(stderr.fileHandleForReading.availableData)
            if String(decoding: seen, as: UTF8.self).contains("wait: started") { break }
        }
        process.interrupt()
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        let out = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(out.contains("wait  sleep  cancelled"))
        let list = FlowBinary.run(["runs"], env: dir.env)
        #expect(list.stdout.contains("cancelled"))
    }
}
