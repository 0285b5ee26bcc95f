#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import FlowJSON
import JSONPath

/// `flow jsonpath SELECTOR [FILE]`: tries a query on a document, to write `json_extract` paths.
struct JSONPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jsonpath",
        abstract: "Apply an RFC 9535 JSONPath query to a JSON document and print what it selects.",
        discussion: """
            Prints the nodelist as one JSON array on stdout (`--paths`: the Normalized Paths instead).
            Reads FILE, or standard input when FILE is omitted or `-`. Quote the query for the shell:
              flow jsonpath '$.products[?@.price < 10].title' products.json
              curl -s https://dummyjson.com/products | flow jsonpath --paths '$.products[0].*'

            Exit status: 0 success (also when nothing matches), 1 invalid query, unreadable or invalid JSON.
            Docs: docs/jsonpath.md.
            """)

    @Argument(help: "The JSONPath query, e.g. '$.products[*].id'.")
    var selector: String

    @Argument(help: "The JSON file to query; standard input when omitted or `-`.")
    var file: String?

    @Flag(name: .customLong("paths"), help: "Print the Normalized Paths of the selected nodes (`$['products'][0]`) instead of their values.")
    var paths = false

    @Flag(name: .customLong("pretty"), help: "Indent the output, one node per line.")
    var pretty = false

    func run() throws {
        let query: JSONPathQuery
        do {
            query = try JSONPathQuery(selector)
        } catch {
            Terminal.err("flow: invalid JSONPath: \(error.description)\n" + Self.caret(selector, at: error.offset))
            throw ExitCode.failure
        }

        let name = file ?? "-"
        guard let bytes = name == "-" ? Self.readAll(fd: 0) : Self.readFile(name) else {
            Terminal.err("flow: cannot read \(name == "-" ? "standard input" : "`\(name)`"): \(String(cString: strerror(errno)))\n")
            throw ExitCode.failure
        }
        let document: JSON
        do {
            document = try JSONParser.parse(bytes: bytes)
        } catch {
            let source = name == "-" ? "standard input" : "`\(name)`"
            Terminal.err("flow: invalid JSON in \(source) at line \(error.line), column \(error.column) (byte offset \(error.offset)): \(error.message)\n")
            throw ExitCode.failure
        }

        let result: JSON
        if paths {
            result = .array(query.selectLocated(document).map { .string($0.path.description) })
        } else {
            result = .array(query.select(document))
        }
        var out: [UInt8] = []
        if pretty, case .array(let items) = result, !items.isEmpty {
            // One node per line, each indented compactly: readable without exploding big values.
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                out.append(contentsOf: i == 0 ? [0x0A, 0x20, 0x20] : [UInt8(ascii: ","), 0x0A, 0x20, 0x20])
                item.write(to: &out)
            }
            out.append(contentsOf: [0x0A, UInt8(ascii: "]")])
        } else {
            result.write(to: &out)
        }
        out.append(0x0A)
        Terminal.out(String(decoding: out, as: UTF8.self))
    }

    /// The query on its own line with a caret under character `offset` (counted in Unicode scalars).
    static func caret(_ selector: String, at offset: Int) -> String {
        var line = "  "
        var marker = "  "
        for (i, scalar) in selector.unicodeScalars.enumerated() {
            // Control characters would break the alignment; show them as spaces.
            line.unicodeScalars.append(scalar.value < 0x20 ? " " : scalar)
            if i < offset { marker += scalar == "\t" ? "\t" : " " }
        }
        return line + "\n" + marker + "^\n"
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return readAll(fd: fd)
    }

    static func readAll(fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
}
