import Foundation
import Testing

/// `flow eval`, run as the built binary.
@Suite struct EvalCommandTests {
    static let document = #"{"products": [{"title": "Mascara", "price": 9.99, "discountPercentage": 10}, {"title": "Powder", "price": 20, "discountPercentage": 0}]}"#

    /// Writes `text` to a fresh file and returns its path.
    static func file(_ text: String = document) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("flow-eval-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func evaluatesAgainstAFile() throws {
        let path = try Self.file()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = FlowBinary.run(["eval", "products.$round(price * (1 - discountPercentage / 100), 2)", path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "[8.99,20]\n")
        #expect(result.stderr == "")
    }

    @Test func readsStandardInput() {
        let result = FlowBinary.run(["eval", "$uppercase(products[0].title)"], stdin: Self.document)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\"MASCARA\"\n")

        let dash = FlowBinary.run(["eval", "$count(products)", "-"], stdin: Self.document)
        #expect(dash.stdout == "2\n")
    }

    @Test func noInputReadsNothing() {
        // Standard input is not JSON: with --no-input it is not read at all.
        let result = FlowBinary.run(["eval", "--no-input", "$exists($) ? 'input' : [1..3]"], stdin: "not json")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "[1,2,3]\n")
    }

    @Test func bindingsBecomeVariables() {
        let result = FlowBinary.run(["eval", "--no-input", "$rate * $base.n", "--bindings", #"{"rate": 0.5, "base": {"n": 8}}"#])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "4\n")
    }

    @Test func undefinedPrintsNothing() {
        let result = FlowBinary.run(["eval", "products.nothing"], stdin: Self.document)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "")
        #expect(result.stderr == "")
    }

    @Test func prettyIndents() {
        let result = FlowBinary.run(["eval", "--pretty", "--no-input", #"{"a": [1]}"#])
        #expect(result.stdout.contains("\n"), "\(result.stdout)")
        #expect(result.stdout.filter { !$0.isWhitespace } == #"{"a":[1]}"#)
    }

    @Test func evaluationErrorExitsOneWithTheCode() {
        let result = FlowBinary.run(["eval", #"'a' + 1"#], stdin: "{}")
        #expect(result.status == 1)
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix(#"T2001: The left side of the "+" operator must evaluate to a number"#), "\(result.stderr)")
    }

    @Test func syntaxErrorExitsOneWithTheCode() {
        let result = FlowBinary.run(["eval", "--no-input", "price +"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("S0"), "\(result.stderr)")
    }

    @Test func invalidInputOrBindingsExitOne() {
        let input = FlowBinary.run(["eval", "a"], stdin: "{\"a\": ")
        #expect(input.status == 1)
        #expect(input.stderr.contains("invalid JSON in standard input"), "\(input.stderr)")

        let empty = FlowBinary.run(["eval", "a"], stdin: "")
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("--no-input"), "\(empty.stderr)")

        let bindings = FlowBinary.run(["eval", "--no-input", "$x", "--bindings", "[1]"])
        #expect(bindings.status == 1)
        #expect(bindings.stderr.contains("--bindings is not a JSON object"), "\(bindings.stderr)")

        let missing = FlowBinary.run(["eval", "a", "/nonexistent/flow-eval.json"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot read"), "\(missing.stderr)")
    }
}
