/// Encodes rows in the text format of `COPY ... FROM STDIN`: columns separated by tabs, rows ended by
/// newlines, `\N` for NULL, and backslash escapes for the characters that would break the framing.
///
/// Escaped: backslash (`\\`), tab (`\t`), newline (`\n`), carriage return (`\r`). Every other character,
/// including quotes and non-ASCII text, is copied byte for byte as UTF-8. A value that is exactly `\.`
/// cannot be confused with the end-of-data marker because its backslash is escaped.
public enum PostgresCopyText {
    /// Appends one row, newline-terminated, to `buffer`.
    public static func appendRow(_ row: [PostgresValue?], to buffer: inout [UInt8]) {
        var rows = PostgresCopyBuffer()
        swap(&rows.bytes, &buffer)
        for value in row { rows.append(value) }
        rows.endRow()
        swap(&rows.bytes, &buffer)
    }

    /// Appends the decimal digits of `value`, without going through a String.
    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude != 0
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// Appends `text` with COPY's backslash escapes.
    public static func appendEscaped(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendEscaped($0, to: &buffer) }
    }

    /// Appends UTF-8 `bytes` with COPY's backslash escapes.
    public static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        // Runs of plain bytes are copied in one go; most values have nothing to escape.
        var runStart = 0
        for index in bytes.indices {
            let escaped: UInt8
            switch bytes[index] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            default: continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(escaped)
            runStart = index + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }

    /// `text` with COPY's backslash escapes, as a String.
    public static func escape(_ text: String) -> String {
        var buffer: [UInt8] = []
        appendEscaped(text, to: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
