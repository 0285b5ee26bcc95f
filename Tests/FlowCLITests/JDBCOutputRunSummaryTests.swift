import Foundation
import Testing

/// `jdbc_output` metrics in `flow run`'s summary and in `flow runs show`, with the built binary.
@Suite struct JDBCOutputRunSummaryTests {
    @Test func rowCountsAppearInTheSummaryAndTheRunStore() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("flow-db-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let workflow = directory + "/load.yaml"
        try Data("""
            name: load
            nodes:
              src:
                type: inline
                records:
                  - { id: 1, title: Mascara, price: 9.99 }
                  - { id: 2, title: Eyeshadow, price: 19.99 }
              store:
                type: jdbc_output
                input: src
                url: sqlite:products.db
                table: products
                mode: upsert
                key: [id]
            """.utf8).write(to: URL(fileURLWithPath: workflow))
        let state = directory + "/state.db"

        let first = FlowBinary.run(["run", workflow, "--state", state, "--no-progress"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("rows_inserted=2"), "\(first.stdout)")
        // Relative to the workflow file, not to the current directory.
        #expect(FileManager.default.fileExists(atPath: directory + "/products.db"))

        let second = FlowBinary.run(["run", workflow, "--state", state, "--no-progress"])
        #expect(second.stdout.contains("rows_inserted=0"), "\(second.stdout)")
        #expect(second.stdout.contains("rows_unchanged=2"), "\(second.stdout)")

        let runs = FlowBinary.run(["runs", "--state", state])
        let latest = try #require(runs.stdout.split(separator: "\n").dropFirst().first?.split(separator: " ").first)
        let show = FlowBinary.run(["runs", "show", String(latest), "--state", state])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("rows_unchanged=2"), "\(show.stdout)")
        #expect(show.stdout.contains("rows_updated=0"), "\(show.stdout)")
    }
}
