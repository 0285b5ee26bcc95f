/// Quoting and parsing of SQL identifiers (table, column and schema names).
public enum PostgresIdentifier {
    /// `name` as a quoted identifier: wrapped in double quotes with inner double quotes doubled, so any
    /// text (quotes, semicolons, spaces, Unicode, mixed case) is taken literally.
    ///
    ///     PostgresIdentifier.quote("we\"ird;name")  // "we""ird;name" with the outer quotes
    public static func quote(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    /// `schema.name` with both parts quoted; without a schema, just the quoted name.
    public static func quote(schema: String?, name: String) -> String {
        guard let schema else { return quote(name) }
        return quote(schema) + "." + quote(name)
    }

    /// Splits a possibly qualified name as PostgreSQL reads it: parts separated by dots, each either
    /// quoted (`"My.Table"`, `""` for a literal quote, case kept) or unquoted (folded to lower case).
    ///
    ///     try PostgresIdentifier.split("Sales.\"Order Items\"")  // ["sales", "Order Items"]
    public static func split(_ qualifiedName: String) throws -> [String] {
        var parts: [String] = []
        var characters = Array(qualifiedName)
        // Trailing and leading spaces around the whole name are not part of it.
        while characters.last?.isWhitespace == true { characters.removeLast() }
        var index = 0
        while characters.first?.isWhitespace == true {
            characters.removeFirst()
        }
        func fail(_ reason: String) -> PostgresError {
            PostgresError(.invalidIdentifier, "\(reason) in \(quote(qualifiedName))")
        }
        while true {
            var part = ""
            if index < characters.count, characters[index] == "\"" {
                index += 1
                var closed = false
                while index < characters.count {
                    if characters[index] == "\"" {
                        if index + 1 < characters.count, characters[index + 1] == "\"" {
                            part.append("\"")
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    part.append(characters[index])
                    index += 1
                }
                guard closed else { throw fail("unterminated quoted identifier") }
                guard !part.isEmpty else { throw fail("empty quoted identifier") }
            } else {
                while index < characters.count, characters[index] != ".", characters[index] != "\"" {
                    part.append(characters[index])
                    index += 1
                }
                part = part.trimmingCharacters(while: \.isWhitespace)
                guard !part.isEmpty else { throw fail("empty name part") }
                guard !part.contains(where: \.isWhitespace) else {
                    throw fail("unquoted name part \"\(part)\" contains spaces; quote it")
                }
                part = part.lowercased()
            }
            parts.append(part)
            while index < characters.count, characters[index].isWhitespace { index += 1 }
            if index == characters.count { return parts }
            guard characters[index] == "." else { throw fail("expected a dot between name parts") }
            index += 1
            while index < characters.count, characters[index].isWhitespace { index += 1 }
        }
    }

    /// Parses a possibly qualified name with ``split(_:)`` and quotes each part.
    public static func quoteQualified(_ qualifiedName: String) throws -> String {
        try split(qualifiedName).map(quote).joined(separator: ".")
    }
}

extension String {
    fileprivate func trimmingCharacters(while predicate: (Character) -> Bool) -> String {
        var text = Substring(self)
        while let first = text.first, predicate(first) { text.removeFirst() }
        while let last = text.last, predicate(last) { text.removeLast() }
        return String(text)
    }
}
