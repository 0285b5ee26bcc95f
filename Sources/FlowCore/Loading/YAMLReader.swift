import Yams

/// Reads YAML text into a located `YAMLNode` tree; syntax errors become diagnostics.
enum YAMLReader {
    static func read(_ text: String, file: String) -> Result<YAMLNode?, Diagnostic> {
        do {
            guard let root = try Yams.compose(yaml: text) else { return .success(nil) }
            return .success(convert(root, file: file))
        } catch let error as YamlError {
            return .failure(diagnostic(for: error, file: file))
        } catch {
            return .failure(.error("could not read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1)))
        }
    }

    static func convert(_ node: Yams.Node, file: String) -> YAMLNode {
        let location = node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
            ?? SourceLocation(file: file, line: 1, column: 1)
        // Yams resolves every tag with YAML 1.1 rules, so explicit and implicit tags look alike:
        // flow ignores tags and types plain scalars itself with the YAML 1.2 core schema.
        let tag: String? = nil
        switch node {
        case .scalar(let scalar):
            let style: YAMLNode.ScalarStyle = scalar.style == .plain || scalar.style == .any ? .plain : .quoted
            return YAMLNode(.scalar(scalar.string, style), at: location, tag: tag)
        case .mapping(let mapping):
            let pairs = mapping.map { YAMLPair(key: convert($0.key, file: file), value: convert($0.value, file: file)) }
            return YAMLNode(.mapping(pairs), at: location, tag: tag)
        case .sequence(let sequence):
            return YAMLNode(.sequence(sequence.map { convert($0, file: file) }), at: location, tag: tag)
        }
    }

    static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return .error(message, at: at(mark), hint: hint(for: problem))
        case .reader(let problem, _, _, _):
            return .error("invalid YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1),
                          hint: "workflow files must be UTF-8 text")
        default:
            return .error("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    static func hint(for problem: String) -> String? {
        if problem.contains("tab") { return "indent with spaces: YAML does not allow tabs for indentation" }
        if problem.contains("mapping values are not allowed") {
            return "a value containing ': ' must be quoted, for example \"a: b\""
        }
        if problem.contains("found character that cannot start any token") {
            return "values starting with `@`, `` ` `` or `%` must be quoted"
        }
        return nil
    }
}
