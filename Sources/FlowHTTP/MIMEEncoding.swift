/// The encodings mail needs: RFC 2047 encoded-words, RFC 2045 quoted-printable and base64.
enum MIMEEncoding {
    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let b0 = bytes[index]
            let b1 = index + 1 < bytes.count ? bytes[index + 1] : 0
            let b2 = index + 2 < bytes.count ? bytes[index + 2] : 0
            out.append(base64Alphabet[Int(b0 >> 2)])
            out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(index + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(index + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// True when `text` cannot go into a header as is: non-ASCII, control characters, or something that
    /// a reader would take for an encoded-word.
    static func needsEncodedWords(_ text: String) -> Bool {
        text.unicodeScalars.contains { !$0.isASCII || $0.value < 0x20 || $0.value == 0x7F } || text.contains("=?")
    }

    /// `text` as `=?UTF-8?B?...?=` words of at most 64 characters each, split between characters
    /// (never inside a UTF-8 sequence), to be joined with folding white space.
    static func encodedWords(_ text: String) -> [String] {
        // 39 bytes = 52 base64 characters + 12 for "=?UTF-8?B?" and "?=": 64, so that even the first word
        // fits on the line after "Subject: " within 78 characters.
        let maxBytes = 39
        var words: [String] = []
        var chunk: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            if !chunk.isEmpty && chunk.count + bytes.count > maxBytes {
                words.append("=?UTF-8?B?\(base64(chunk))?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(base64(chunk))?=") }
        return words
    }

    /// Quoted-printable body (RFC 2045 §6.7): lines of at most 76 characters with soft breaks,
    /// CRLF line ends, trailing white space encoded.
    static func quotedPrintable(_ text: String) -> String {
        var output: [String] = []
        for line in lines(text) {
            var encoded = ""
            var length = 0
            let bytes = Array(line.utf8)
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
                    || ((byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) && !isLast)
                let piece = literal ? String(UnicodeScalar(byte)) : hexEscape(byte)
                // Keep room for the "=" of a soft line break unless this is the line's last piece.
                let limit = isLast ? 76 : 75
                if length + piece.count > limit {
                    encoded += "=\r\n"
                    length = 0
                }
                encoded += piece
                length += piece.count
            }
            output.append(encoded)
        }
        return output.joined(separator: "\r\n")
    }

    /// The lines of `text`, whatever its line ends (CRLF, LF, CR).
    static func lines(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    private static func hexEscape(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "=\(digits[Int(byte >> 4)])\(digits[Int(byte & 0x0F)])"
    }

    /// `Name: value` folded at spaces so that lines stay within 78 characters where possible.
    static func headerLine(_ name: String, _ value: String) -> String {
        var result = "\(name):"
        var lineLength = result.count
        for word in value.split(separator: " ", omittingEmptySubsequences: false) {
            if lineLength + 1 + word.count > 78 && lineLength > name.count + 1 {
                result += "\r\n"
                lineLength = 0
            }
            result += " " + word
            lineLength += 1 + word.count
        }
        return result
    }
}
