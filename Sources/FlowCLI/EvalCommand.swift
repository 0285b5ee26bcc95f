#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import FlowJSON
import JSONata

/// `flow eval EXPRESSION [FILE]`: evaluates a JSONata expression, to try `transform` expressions,
/// `when:` conditions and `${...}` before putting them in a workflow.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a JSONata expression against a JSON document and print the result.",
        discussion: """
            Prints the result as JSON on stdout, and nothing when it is undefined (a path that selects
            nothing). Reads FILE, or standard input when FILE is omitted or `-`; `--no-input` evaluates
            without any input. Quote the expression for the shell:
              flow eval '$round(price * (1 - discountPercentage / 100), 2)' product.json
              echo '{"a": [1, 2, 3]}' | flow eval '$sum(a) * $rate' --bindings '{"rate": 0.5}'
              flow eval --no-input '$now()'

            Exit status: 0 success (also when the result is undefined), 1 an error: the expression's
            (`T2001: ...` on stderr), unreadable or invalid JSON input or bindings.
            Docs: docs/expressions.md.
            """)

    @Argument(help: "The JSONata expression, e.g. 'products[price < 10].title'.")
    var expression: String

    @Argument(help: "The JSON file to evaluate against; standard input when omitted or `-`.")
    var file: String?

    @Option(name: .customLong("bindings"), help: ArgumentHelp(
        "A JSON object whose members are bound as variables: '{\"rate\": 0.2}' makes `$rate` 0.2.",
        valueName: "JSON"))
    var bindings: String?

    @Flag(name: .customLong("no-input"), help: "Evaluate without input (`$` is undefined); reads nothing.")
    var noInput = false

    @Flag(name: .customLong("pretty"), help: "Indent the output.")
    var pretty = false

    func validate() throws {
        if noInput, file != nil { throw ValidationError("--no-input and FILE exclude each other") }
    }

    func run() throws {
        let compiled: JSONataExpression
        do {
            compiled = try JSONataExpression(expression)
        } catch {
            throw report(error)
        }

        var variables: [String: JSON] = [:]
        if let bindings {
            guard case .object(let object)? = try? JSONParser.parse(bindings) else {
                let why = (try? JSONParser.parse(bindings)) == nil ? "is not valid JSON" : "is not a JSON object"
                throw fail("flow: --bindings \(why): write an object such as '{\"rate\": 0.2}'")
            }
            for (name, value) in object { variables[name] = value }
        }

        var input: JSON?
        if !noInput {
            let name = file ?? "-"
            let source = name == "-" ? "standard input" : "`\(name)`"
            guard let bytes = name == "-" ? JSONPathCommand.readAll(fd: 0) : JSONPathCommand.readFile(name) else {
                throw fail("flow: cannot read \(source): \(String(cString: strerror(errno)))")
            }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                throw fail("flow: \(source) is empty (use --no-input to evaluate without input)")
            }
            do {
                input = try JSONParser.parse(bytes: bytes)
            } catch {
                throw fail("flow: invalid JSON in \(source) at line \(error.line), column \(error.column): \(error.message)")
            }
        }

        let result: JSON?
        do {
            result = try compiled.evaluate(input, bindings: variables)
        } catch {
            throw report(error)
        }
        guard let result else { return }
        var out: [UInt8] = []
        result.write(to: &out, pretty: pretty, indent: 0)
        out.append(0x0A)
        Terminal.out(String(decoding: out, as: UTF8.self))
    }

    /// `T2001: message (position 5)`, then the expression with a caret under the offending token.
    func report(_ error: JSONataError) -> ExitCode {
        var start = error.position
        if let token = error.token, start >= token.unicodeScalars.count { start -= token.unicodeScalars.count }
        var text = error.description + "\n"
        if !expression.contains("\n"), error.position > 0 { text += JSONPathCommand.caret(expression, at: start) }
        Terminal.err(text)
        return ExitCode(ExitStatus.runFailed)
    }

    func fail(_ message: String) -> ExitCode {
        Terminal.err(message + "\n")
        return ExitCode(ExitStatus.runFailed)
    }
}
