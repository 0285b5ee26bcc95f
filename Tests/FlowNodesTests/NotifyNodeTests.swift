import FlowCore
import FlowJSON
import Testing

@testable import FlowNodes

/// The `notify` node's checks at validate time (sending is tested end to end in FlowCLITests).
@Suite struct NotifyNodeTests {
    static func errors(_ node: String) -> [String] {
        let yaml = "name: n\nnodes:\n  src: { type: inline, records: [1] }\n  tell:\n    type: notify\n" + node
        return WorkflowHarness.validate(yaml).errors.map { "\($0.location?.line ?? 0):\($0.location?.column ?? 0): \($0.message)" }
    }

    @Test func aValidNodeHasNoErrors() {
        #expect(Self.errors("    input: src\n    slack: { webhook: \"https://h.example.com/x\", text: \"${records} rows in ${run.id}\" }\n") == [])
        #expect(Self.errors("    email: { smtp: \"smtps://mail.example.com\", from: a@example.com, to: [b@example.com] }\n") == [])
    }

    @Test func needsExactlyOneChannel() {
        #expect(Self.errors("    input: src\n") == ["4:3: node `tell` (notify): no channel"])
        #expect(Self.errors("    slack: { webhook: \"https://h.example.com/x\" }\n    webhook: { url: \"https://h.example.com/y\" }\n")
            == ["7:14: node `tell` (notify): a notify node has exactly one channel; `webhook` is a second one"])
    }

    @Test func channelProblemsAreLocated() {
        #expect(Self.errors("    webhook: { url: \"ftp://example.com/x\" }\n")
            == ["6:22: node `tell` (notify): `url` must be a `https://` or `http://` URL, found `ftp://`"])
        #expect(Self.errors("    email: { smtp: \"smtp://m.example.com\", from: a@example.com, to: [b@example.com, nope] }\n")
            == ["6:85: node `tell` (notify): `nope` in `to` is not an email address"])
    }

    @Test func nodesAreNotInScope() {
        #expect(Self.errors("    slack: { webhook: \"https://h.example.com/x\", text: \"${nodes.src.records_out}\" }\n")
            == ["6:57: node `tell` (notify): `nodes` is only available in workflow-level `notify:` rules"])
    }

    @Test func literalSecretsAreMaskedInThePlan() throws {
        let yaml = "name: n\nnodes:\n  tell:\n    type: notify\n    slack: { webhook: \"https://hooks.example.com/T0KEN123\" }\n"
        let loader = WorkflowLoader(registry: WorkflowHarness.registry, language: PathExpressionLanguage())
        let workflow = try #require(loader.load(text: yaml, file: "t.yaml").0)
        let plan = try #require(Planner(language: PathExpressionLanguage()).plan(workflow, options: PlanOptions()).0)
        #expect(plan.masker.mask("posting to https://hooks.example.com/T0KEN123") == "posting to ***")
    }
}
