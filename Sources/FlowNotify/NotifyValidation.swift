import FlowCore
import FlowJSON

/// The checks `flow validate` runs on workflow-level `notify:` rules beyond the loader's field types:
/// URL schemes, addresses, headers, and `nodes.<id>` references to nodes that exist. Sends nothing.
public enum NotifyValidation {
    public static func diagnostics(for workflow: Workflow) -> Diagnostics {
        var diagnostics = Diagnostics()
        let nodeIDs = workflow.nodes.map(\.id)
        for rule in workflow.notify {
            let context = "`\(rule.channel)` notification"
            for problem in NotifyChannelCheck.problems(channel: rule.channel, fields: rule.fields.toJSON()) {
                diagnostics.error("\(problem.message) in \(context)", at: location(problem.path, in: rule.fields), hint: problem.hint)
            }
            checkNodeReferences(rule.fields, nodeIDs: nodeIDs, context: context, into: &diagnostics)
        }
        return diagnostics
    }

    /// Where a field (or a key or index inside it) was written.
    static func location(_ path: [String], in fields: YAMLNode) -> SourceLocation {
        fields.descendant(at: path).textLocation
    }

    /// `nodes.x` in a template where no node `x` exists.
    static func checkNodeReferences(_ yaml: YAMLNode, nodeIDs: [String], context: String, into diagnostics: inout Diagnostics) {
        switch yaml.kind {
        case .scalar(let text, _):
            guard Template.containsInterpolation(text) else { return }
            for name in nodeReferences(in: text) where !nodeIDs.contains(name) {
                diagnostics.error("`nodes.\(name)` in \(context): there is no node `\(name)`", at: yaml.textLocation,
                                  hint: Suggestions.hint(for: name, in: nodeIDs) ?? "nodes: " + nodeIDs.joined(separator: ", "))
            }
        case .sequence(let items): items.forEach { checkNodeReferences($0, nodeIDs: nodeIDs, context: context, into: &diagnostics) }
        case .mapping(let pairs): pairs.forEach { checkNodeReferences($0.value, nodeIDs: nodeIDs, context: context, into: &diagnostics) }
        }
    }

    /// The `x` of each `nodes.x` (or `$nodes.x`) inside `${...}` of a template text.
    static func nodeReferences(in text: String) -> [String] {
        var names: [String] = []
        let chars = Array(text)
        var i = 0
        var inside = false
        while i < chars.count {
            if !inside {
                if chars[i] == "$", i + 1 < chars.count, chars[i + 1] == "{" { inside = true; i += 2; continue }
                i += 1
                continue
            }
            if chars[i] == "}" { inside = false; i += 1; continue }
            let word = Array("nodes.")
            if i + word.count < chars.count, Array(chars[i..<i + word.count]) == word {
                let previous: Character? = i > 0 ? chars[i - 1] : nil
                if previous.map({ !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) ?? true {
                    var j = i + word.count
                    let start = j
                    while j < chars.count, chars[j].isLetter || chars[j].isNumber || chars[j] == "_" || chars[j] == "-" { j += 1 }
                    if j > start { names.append(String(chars[start..<j])) }
                    i = j
                    continue
                }
            }
            i += 1
        }
        return names
    }
}
