/// Encodes rows in the text format of `COPY ... FROM STDIN`: columns separated by tabs, rows ended by
/// newlines, `\N` for NULL, and backslash escapes for the characters that would break the framing.
///
/// Escaped: backslash (`\\`), tab (`\t`), newline (`\n`), carriage return (`\r`). Every other character,
/// including quotes and non-ASCII text, is copied byte for byte as UTF-8. A value that is exactly `\.`
/// cannot be confused with the end-of-data marker because its backslash is escaped.
public enum PostgresCopyText {
    /// Appends one row, newline-terminated, to `buffer`.
    public static func appendRow(_ row: [PostgresValue?], to buffer: inout [UInt8]) {
        var first = true
        for value in row {
            if !first { buffer.append(UInt8(ascii: "\t")) }
            first = false
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            switch value {
            case .int(let number):
                // No escaping needed: skip the per-byte loop.
                buffer.append(contentsOf: String(number).utf8)
            default:
                appendEscaped(value.textRepresentation, to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Appends `text` with COPY's backslash escapes.
    public static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
                case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
                default: buffer.append(byte)
                }
            }
        }
    }

    /// `text` with COPY's backslash escapes, as a String.
    public static func escape(_ text: String) -> String {
        var buffer: [UInt8] = []
        appendEscaped(text, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
