import FlowJSON

/// Text for people: shared by the CLI's summaries, notifications and node error messages.
public enum TextFormat {
    /// `1,234,567`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Left-aligned columns two spaces apart; the last column is not padded.
    public static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            var line = ""
            for (i, cell) in row.enumerated() {
                line += i == columns - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count + 2)
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n") + "\n"
    }

    /// A value as error messages show it: `string "abc"`, `number 12.5`, `boolean true`, `array`,
    /// `object`; strings longer than 40 characters are shortened.
    public static func describe(_ value: JSON) -> String {
        switch value {
        case .string(let s):
            let shown = s.unicodeScalars.count > 40 ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(40))) + "..." : s
            return "string " + JSON.quote(shown)
        case .int, .double, .bool:
            return "\(value.typeName) \(value.serialized())"
        case .null, .array, .object:
            return value.typeName
        }
    }
}
