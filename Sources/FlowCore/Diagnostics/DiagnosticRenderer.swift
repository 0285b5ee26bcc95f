/// Renders diagnostics as `FILE:LINE:COLUMN: error: MESSAGE`, the source line, a caret, and the hint.
public struct DiagnosticRenderer: Sendable {
    /// File contents by path, used to print the offending line.
    public var sources: [String: String]
    public var color: Bool

    public init(sources: [String: String], color: Bool = false) {
        self.sources = sources
        self.color = color
    }

    public func render(_ diagnostic: Diagnostic) -> String {
        var out = ""
        let label = diagnostic.severity == .error ? paint("error", "31") : paint("warning", "33")
        if let location = diagnostic.location {
            out += paint("\(location):", "1") + " \(label): \(diagnostic.message)\n"
            if let line = sourceLine(location) {
                out += line + "\n"
                out += caretLine(line, column: location.column) + "\n"
            }
        } else {
            out += "flow: \(label): \(diagnostic.message)\n"
        }
        if let hint = diagnostic.hint {
            out += "  " + paint("hint:", "36") + " \(hint)\n"
        }
        return out
    }

    public func render(_ diagnostics: Diagnostics) -> String {
        diagnostics.sorted.map(render).joined()
    }

    func sourceLine(_ location: SourceLocation) -> String? {
        guard let text = sources[location.file], location.line >= 1 else { return nil }
        var current = 1
        var start = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "\n" {
                if current == location.line { return String(text[start..<index]).replacingTabs() }
                current += 1
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        return current == location.line && start < text.endIndex ? String(text[start...]).replacingTabs() : nil
    }

    func caretLine(_ line: String, column: Int) -> String {
        let width = max(0, min(column - 1, line.unicodeScalars.count))
        return String(repeating: " ", count: width) + paint("^", "32")
    }

    func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    fileprivate func replacingTabs() -> String {
        var out = ""
        for c in self { out.append(c == "\t" ? " " : c) }
        if out.hasSuffix("\r") { out.removeLast() }
        return out
    }
}
