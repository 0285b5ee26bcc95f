/// The location of a node in a JSON value, printed as an RFC 9535 Normalized Path (§2.7): `$['a'][0]`.
public struct NormalizedPath: Sendable, Hashable, CustomStringConvertible {
    /// One step: an object member name or a non-negative array index.
    public enum Element: Sendable, Hashable {
        case name(String)
        case index(Int)
    }

    public var elements: [Element]

    /// The root path, `$`.
    public init() { elements = [] }

    public init(_ elements: [Element]) { self.elements = elements }

    /// The canonical text: `$`, then `['name']` or `[index]` for each element, names escaped as §2.7 requires.
    public var description: String {
        var text = "$"
        for element in elements {
            switch element {
            case .index(let i):
                text += "[\(i)]"
            case .name(let name):
                text += "['"
                Self.appendEscaped(name, to: &text)
                text += "']"
            }
        }
        return text
    }

    /// Appends `name` as the inside of a normal single-quoted string (RFC 9535 §2.7).
    static func appendEscaped(_ name: String, to text: inout String) {
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case "'": text += "\\'"
            case "\\": text += "\\\\"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                text += hex.count == 1 ? "\\u000" + hex : "\\u00" + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
    }
}
