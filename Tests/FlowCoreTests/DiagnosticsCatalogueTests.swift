import FlowCore
import Testing

/// A catalogue of broken workflows: each must produce exactly these errors, at these positions.
@Suite struct DiagnosticsCatalogueTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let yaml: String
        /// "line:column: message" for every error, in file order.
        let expected: [String]
        var hint: String? = nil
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "yaml syntax", yaml: "nodes:\n  a: { type: t_emit\n", expected: [
            "3:1: invalid YAML: did not find expected ',' or '}' (while parsing a flow mapping at line 2)",
        ]),
        Case(name: "tab indentation", yaml: "nodes:\n\ta: 1\n", expected: [
            "2:1: invalid YAML: found character that cannot start any token (while scanning for the next token at line 2)",
        ]),
        Case(name: "empty file", yaml: "", expected: ["1:1: the workflow file is empty"]),
        Case(name: "not a mapping", yaml: "- a\n- b\n", expected: ["1:1: a workflow must be a mapping with `nodes:`, found list"]),
        Case(name: "no nodes", yaml: "name: x\n", expected: ["1:1: the workflow has no `nodes:`"]),
        Case(name: "unknown top-level key", yaml: "name: x\nnode:\n  a: { type: t_emit, board: b }\n", expected: [
            "1:1: the workflow has no `nodes:`",
            "2:1: unknown top-level key `node`",
        ], hint: "did you mean `nodes`?"),
        Case(name: "duplicate node id", yaml: "nodes:\n  a: { type: t_emit, board: b }\n  a: { type: t_emit, board: b }\n", expected: [
            "3:3: duplicate key `a` in `nodes`",
        ], hint: "first defined at line 2; remove one of them"),
        Case(name: "duplicate field", yaml: "nodes:\n  a:\n    type: t_emit\n    board: b\n    count: 1\n    count: 2\n", expected: [
            "6:5: duplicate key `count` in node `a` (t_emit)",
        ]),
        Case(name: "unknown node type", yaml: "nodes:\n  a: { type: t_emitt, board: b }\n", expected: [
            "2:14: unknown node type `t_emitt` for node `a`",
        ], hint: "did you mean `t_emit`?"),
        Case(name: "missing type", yaml: "nodes:\n  a: { board: b }\n", expected: ["2:3: node `a` has no `type`"]),
        Case(name: "unknown field", yaml: "nodes:\n  a: { type: t_emit, board: b, cuont: 3 }\n", expected: [
            "2:32: unknown field `cuont` in node `a` (t_emit)",
        ], hint: "did you mean `count`?"),
        Case(name: "wrong type", yaml: "nodes:\n  a: { type: t_emit, board: b, count: many }\n", expected: [
            "2:39: `count` in node `a` (t_emit) must be an integer, found string \"many\"",
        ]),
        Case(name: "missing required field", yaml: "nodes:\n  a: { type: t_emit }\n", expected: [
            "2:6: missing required field `board` in node `a` (t_emit)",
        ]),
        Case(name: "yaml 1.1 boolean", yaml: "nodes:\n  a: { type: t_collect, board: b, input: s, forward: yes }\n  s: { type: t_emit, board: b }\n", expected: [
            "2:54: `forward` in node `a` (t_collect) must be a boolean, found string \"yes\"",
        ], hint: "write `true` or `false`: flow reads YAML 1.2, where `yes` is a string"),
        Case(name: "unknown input", yaml: "nodes:\n  s: { type: t_emit, board: b }\n  a: { type: t_collect, board: b, input: src }\n", expected: [
            "3:42: `input` of node `a` refers to unknown node `src`",
        ]),
        Case(name: "unknown after", yaml: "nodes:\n  s: { type: t_emit, board: b }\n  a: { type: t_work, board: b, after: [s, t] }\n", expected: [
            "3:43: `after` of node `a` refers to unknown node `t`",
        ]),
        Case(name: "missing input", yaml: "nodes:\n  a: { type: t_collect, board: b }\n", expected: [
            "2:3: node `a` (t_collect) needs an `input`",
        ]),
        Case(name: "input to a source", yaml: "nodes:\n  s: { type: t_emit, board: b }\n  t: { type: t_emit, board: b, input: s }\n", expected: [
            "3:39: node `t` (t_emit) is a source and takes no `input`",
        ]),
        Case(name: "cycle", yaml: "nodes:\n  a: { type: t_work, board: b, input: c }\n  b: { type: t_work, board: b, input: a }\n  c: { type: t_work, board: b, input: b }\n", expected: [
            "3:39: the workflow has a cycle: a -> b -> c -> a",
        ]),
        Case(name: "self reference", yaml: "nodes:\n  a: { type: t_work, board: b, after: a }\n", expected: [
            "2:39: node `a` cannot depend on itself",
        ]),
        Case(name: "undefined parameter", yaml: "params:\n  limit: 10\nnodes:\n  a: { type: t_emit, board: b, count: \"${params.limt}\" }\n", expected: [
            "4:42: undefined parameter `limt` in `count` of node `a` (t_emit)",
        ], hint: "did you mean `limit`?"),
        Case(name: "bad expression", yaml: "nodes:\n  a: { type: t_emit, board: b, when: \"params.x =\" }\n", expected: [
            "2:49: invalid expression in `when` of node `a` (t_emit): S0203: expected a value, found the end of the expression",
        ]),
        Case(name: "unterminated interpolation", yaml: "nodes:\n  a: { type: t_emit, board: \"x${params\" }\n", expected: [
            "2:31: invalid `${...}` in `board` of node `a` (t_emit): unterminated `${`: add the closing `}`",
        ]),
        Case(name: "bad duration", yaml: "nodes:\n  a: { type: t_emit, board: b, timeout: 10 minutes }\n", expected: [
            "2:41: `timeout` in node `a` (t_emit) must be a duration, found string \"10 minutes\"",
        ]),
        Case(name: "bad on_error", yaml: "nodes:\n  a: { type: t_emit, board: b, on_error: ignore }\n", expected: [
            "2:42: `on_error` in node `a` (t_emit) must be one of `fail`, `continue`, found `ignore`",
        ]),
        Case(name: "bad retry field", yaml: "nodes:\n  a: { type: t_emit, board: b, retry: { attempt: 3 } }\n", expected: [
            "2:41: unknown field `attempt` in `retry` in node `a` (t_emit)",
        ], hint: "did you mean `attempts`?"),
        Case(name: "bad param type", yaml: "params:\n  n: { type: integr }\nnodes:\n  a: { type: t_emit, board: b }\n", expected: [
            "2:14: parameter `n` has unknown type `integr`",
        ], hint: "did you mean `integer`?"),
        Case(name: "after within a pipeline", yaml: "nodes:\n  s: { type: t_emit, board: b }\n  x: { type: t_collect, board: b, input: s, forward: true }\n  y: { type: t_collect, board: b, input: x, after: s }\n", expected: [
            "4:52: `after: s` on node `y`: both nodes are in the same pipeline (connected by `input` edges), which already runs them together",
        ]),
        Case(name: "notify without channel", yaml: "nodes:\n  a: { type: t_emit, board: b }\nnotify:\n  - on: [failure]\n", expected: [
            "4:5: notify rule has no channel",
        ]),
        Case(name: "notify bad outcome and field", yaml: "nodes:\n  a: { type: t_emit, board: b }\nnotify:\n  - on: [falure]\n    slack: { webhok: x }\n", expected: [
            "4:10: unknown run outcome `falure` in `on`",
            "5:12: missing required field `webhook` in `slack` notification",
            "5:14: unknown field `webhok` in `slack` notification",
        ]),
        Case(name: "every problem at once", yaml: "nodes:\n  a: { type: nope }\n  b: { type: t_emit, board: b, count: x }\n  c: { type: t_collect, board: b, input: zz }\n", expected: [
            "2:14: unknown node type `nope` for node `a`",
            "3:39: `count` in node `b` (t_emit) must be an integer, found string \"x\"",
            "4:42: `input` of node `c` refers to unknown node `zz`",
        ]),
    ]

    @Test(arguments: cases)
    func reportsExactly(_ c: Case) {
        let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
        let (workflow, diagnostics) = loader.load(text: c.yaml, file: "w.yaml")
        #expect(workflow == nil)
        let got = diagnostics.sorted.filter { $0.severity == .error }.map { d in
            "\(d.location.map { "\($0.line):\($0.column)" } ?? "-"): \(d.message)"
        }
        #expect(got == c.expected)
        if let hint = c.hint {
            #expect(diagnostics.items.contains { $0.hint == hint }, "hints: \(diagnostics.items.compactMap(\.hint))")
        }
    }

    @Test func rendersSourceLineAndCaret() {
        let yaml = "nodes:\n  a: { type: t_emitt, board: b }\n"
        let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
        let (_, diagnostics) = loader.load(text: yaml, file: "w.yaml")
        let text = DiagnosticRenderer(sources: ["w.yaml": yaml]).render(diagnostics)
        #expect(text == """
            w.yaml:2:14: error: unknown node type `t_emitt` for node `a`
              a: { type: t_emitt, board: b }
                         ^
              hint: did you mean `t_emit`?

            """)
    }

    @Test func yaml11WordsStayStringsAsKeysAndValues() throws {
        let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
        let (workflow, diagnostics) = loader.load(text: """
            params:
              on: { type: string, default: no }
              yes: off
            nodes:
              a: { type: t_emit, board: y }
            notify:
              - on: [failure]
                webhook: { url: "http://127.0.0.1:1/hook" }
            """, file: "w.yaml")
        #expect(!diagnostics.hasErrors, "\(diagnostics.items)")
        let params = try #require(workflow?.params)
        #expect(params.map(\.name) == ["on", "yes"])
        #expect(params[0].defaultValue == .string("no"))
        #expect(params[1].defaultValue == .string("off"))
        #expect(workflow?.notify.first?.events == [.failure])
    }

    @Test func planReportsUnknownAndMistypedParams() throws {
        let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
        let (workflow, _) = loader.load(text: "params:\n  n: { type: integer, required: true }\nnodes:\n  a: { type: t_emit, board: b, count: \"${params.n}\" }\n", file: "w.yaml")
        let planner = Planner(language: PathExpressionLanguage())
        let (_, missing) = planner.plan(try #require(workflow), options: PlanOptions())
        #expect(missing.errors.map(\.message) == ["parameter `n` is required"])
        let (_, wrong) = planner.plan(workflow!, options: PlanOptions(params: [(name: "n", value: "ten"), (name: "m", value: "1")]))
        #expect(wrong.errors.map(\.message) == ["unknown parameter `m` given with --param", "--param n=ten: expected integer"])
        let (plan, ok) = planner.plan(workflow!, options: PlanOptions(params: [(name: "n", value: "7")]))
        #expect(!ok.hasErrors)
        #expect(plan?.node("a")?.config.int("count") == 7)
    }

    @Test func missingSecretIsAnErrorForRunsAndAWarningForDryRuns() throws {
        let loader = WorkflowLoader(registry: testRegistry, language: PathExpressionLanguage())
        let (workflow, _) = loader.load(text: "nodes:\n  a: { type: t_emit, board: \"${secrets.TOKEN}\" }\n", file: "w.yaml")
        let planner = Planner(language: PathExpressionLanguage())
        let (_, run) = planner.plan(try #require(workflow), options: PlanOptions(environment: [:]))
        #expect(run.errors.map(\.message) == ["secret `TOKEN` is not set"])
        let (plan, dry) = planner.plan(workflow!, options: PlanOptions(environment: [:], requireSecrets: false))
        #expect(!dry.hasErrors && dry.warnings.count == 1)
        #expect(plan != nil)
        let (withSecret, _) = planner.plan(workflow!, options: PlanOptions(environment: ["TOKEN": "s3cr3t-value"]))
        #expect(withSecret?.masker.mask("Bearer s3cr3t-value") == "Bearer ***")
    }
}
