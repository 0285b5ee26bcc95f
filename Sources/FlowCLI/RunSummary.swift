import FlowCore
import FlowJSON

/// The table printed when a run ends (or one JSON object with `--log-format json`).
enum RunSummary {
    static func render(_ result: RunResult, format: RunReporter.Format, color: Bool, masker: SecretMasker) -> String {
        if format == .json { return masker.mask(json(result)).serialized() + "\n" }
        var rows: [[String]] = [["node", "type", "status", "time", "in", "out", "details"]]
        for n in result.nodes {
            var details = n.metrics.sorted { $0.key < $1.key }.map { "\($0.key)=\(TextFormat.count($0.value))" }
            if n.attempts > 1 { details.append("attempts=\(n.attempts)") }
            if let e = n.error, n.status != .succeeded { details.append(e) }
            rows.append([
                n.id, n.type, n.status.rawValue,
                n.duration.map { DurationParser.format(.milliseconds(Int64($0 * 1000))) } ?? "-",
                TextFormat.count(n.recordsIn), TextFormat.count(n.recordsOut), details.joined(separator: "; "),
            ])
        }
        var widths = [Int](repeating: 0, count: 6)
        for row in rows { for i in 0..<6 { widths[i] = max(widths[i], row[i].count) } }
        var out = "\n"
        for (r, row) in rows.enumerated() {
            var line = ""
            for i in 0..<6 {
                let cell = row[i]
                let padded = i >= 4 ? String(repeating: " ", count: widths[i] - cell.count) + cell
                    : cell + String(repeating: " ", count: widths[i] - cell.count)
                line += (i == 2 && r > 0 ? paint(padded, status: cell, color: color) : padded) + "  "
            }
            line += row[6]
            out += line.trimmingTrailingSpaces() + "\n"
        }
        let status = result.status.rawValue
        out += "\nrun \(result.runID) \(color ? paint(status, status: status, color: true) : status) in \(DurationParser.format(.milliseconds(Int64(result.duration * 1000))))\n"
        if let e = result.error, result.status != .succeeded { out += "error: \(e)\n" }
        return masker.mask(out)
    }

    static func paint(_ text: String, status: String, color: Bool) -> String {
        guard color else { return text }
        let code: String
        switch status {
        case "succeeded": code = "32"
        case "failed", "upstream_failed": code = "31"
        case "skipped", "cancelled": code = "33"
        default: return text
        }
        return "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }

    static func json(_ result: RunResult) -> JSON { result.summaryJSON }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
