import Foundation
import Testing

/// Every workflow under workflows/ must validate; those marked `# ci: run` must also run offline.
@Suite struct ExampleWorkflowsTests {
    static let directory = FlowBinary.packageRoot.appendingPathComponent("workflows").path

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.sorted()
    }

    @Test(arguments: files)
    func validates(_ name: String) {
        let r = FlowBinary.run(["validate", "\(Self.directory)/\(name)"])
        #expect(r.status == 0, "\(name): \(r.stderr)")
    }

    @Test(arguments: files.filter { name in
        ((try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)) ?? "").hasPrefix("# ci: run")
    })
    func runsOffline(_ name: String) {
        let home = TempDir()
        defer { home.remove() }
        let r = FlowBinary.run(["run", "\(Self.directory)/\(name)"], cwd: FlowBinary.packageRoot.path, env: home.env)
        #expect(r.status == 0, "\(name): \(r.stdout)\n\(r.stderr)")
    }
}
