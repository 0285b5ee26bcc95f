/// A mailbox: an address with an optional display name.
public struct MailAddress: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var name: String?

    public init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// The RFC 5322 `mailbox` form: `addr@example.com`, `"Name" <addr@example.com>`, or the name as
    /// RFC 2047 encoded-words when it is not ASCII.
    public var description: String {
        guard let name, !name.isEmpty else { return address }
        if MIMEEncoding.needsEncodedWords(name) {
            return MIMEEncoding.encodedWords(name).joined(separator: " ") + " <\(address)>"
        }
        let atext = name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || scalar.properties.numericType != nil
                || " !#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar))
        }
        if atext { return "\(name) <\(address)>" }
        let escaped = name.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"")
        return "\"\(escaped)\" <\(address)>"
    }
}

extension String {
    func replacingLineBreaks() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\r" || $0 == "\n" ? " " : $0 }))
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
