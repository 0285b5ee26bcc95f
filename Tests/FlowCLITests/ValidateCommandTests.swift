import Foundation
import Testing

@Suite struct ValidateCommandTests {
    @Test func validFileExitsZero() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("ok.yaml", """
            nodes:
              src: { type: inline, records: [{ a: 1 }] }
              out: { type: file_output, input: src, path: out.ndjson }
            """)
        let r = FlowBinary.run(["validate", file])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "\(file): valid (2 nodes, 2 stages)\n")
        // Validation has no side effects.
        #expect(dir.read("out.ndjson") == nil)
    }

    @Test func reportsEveryProblemWithCaretsAndExitsTwo() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("bad.yaml", """
            nodes:
              src: { type: inlin, records: [] }
              out:
                type: file_output
                inptu: src
                path: out.ndjson
            """)
        let r = FlowBinary.run(["validate", file])
        #expect(r.status == 2)
        #expect(r.stderr.contains("""
            \(file):2:16: error: unknown node type `inlin` for node `src`
              src: { type: inlin, records: [] }
                           ^
              hint: did you mean `inline`?
            """))
        #expect(r.stderr.contains("\(file):3:3: error: node `out` (file_output) needs an `input`"))
        #expect(r.stderr.contains("\(file):5:5: error: unknown field `inptu` in node `out` (file_output)"))
        #expect(r.stderr.contains("hint: did you mean `input`?"))
        #expect(r.stderr.contains("\(file): 3 errors"))
    }

    @Test func checksSeveralFilesAndFailsIfAnyIsInvalid() {
        let dir = TempDir()
        defer { dir.remove() }
        let good = dir.write("good.yaml", "nodes:\n  a: { type: sleep, duration: 1ms }\n")
        let bad = dir.write("bad.yaml", "nodes:\n  a: { type: sleep, duration: soon }\n")
        let r = FlowBinary.run(["validate", good, bad])
        #expect(r.status == 2)
        #expect(r.stdout.contains("\(good): valid"))
        #expect(r.stderr.contains("\(bad):2:31: error: `duration` in node `a` (sleep) must be a duration"))
    }

    @Test func dryRunPrintsThePlanWithSecretsMasked() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("plan.yaml", """
            params:
              target: { type: string, default: out.ndjson }
            nodes:
              src: { type: inline, records: [{ token: "${secrets.API_TOKEN}" }] }
              wait: { type: sleep, input: src, duration: 1ms }
              out: { type: file_output, input: wait, path: "${params.target}" }
            """)
        let r = FlowBinary.run(["run", "--dry-run", file, "--param", "target=x.ndjson"], env: ["API_TOKEN": "tok-very-secret"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("plan: 3 nodes in 3 stages, 1 pipeline"))
        #expect(r.stdout.contains("stage 3:\n  out (file_output) <- wait\n      path: \"x.ndjson\""))
        #expect(r.stdout.contains("target = \"x.ndjson\""))
        #expect(!r.stdout.contains("tok-very-secret") && !r.stderr.contains("tok-very-secret"))
        #expect(r.stdout.contains("***"))
        #expect(dir.read("x.ndjson") == nil)
    }

    @Test func missingSecretFailsTheRunButNotTheDryRun() {
        let dir = TempDir()
        defer { dir.remove() }
        let file = dir.write("s.yaml", "nodes:\n  src: { type: inline, records: [\"${secrets.NOPE_NOT_SET}\"] }\n")
        let run = FlowBinary.run(["run", file], env: dir.env)
        #expect(run.status == 2)
        #expect(run.stderr.contains("error: secret `NOPE_NOT_SET` is not set"))
        let dry = FlowBinary.run(["run", "--dry-run", file])
        #expect(dry.status == 0)
        #expect(dry.stderr.contains("warning: secret `NOPE_NOT_SET` is not set"))
    }
}
