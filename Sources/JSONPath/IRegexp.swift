import Synchronization

/// An I-Regexp (RFC 9485) translated to a Swift `Regex` that matches Unicode scalars.
///
/// The translation makes every I-Regexp rule explicit: `.` becomes `[^\n\r]`, groups become
/// non-capturing, literals are written as `\u{...}`, and anything outside RFC 9485 (`\d`,
/// lookaround, back-references, ...) makes the pattern invalid.
///
/// Deviation: outside character classes `^` and `$` are anchors (start and end of the string), as
/// in the ECMAScript mapping of RFC 9485 §5.3 that most JSONPath implementations use and that the
/// compliance suite expects (`match(@, '.*bc$')` matches "abc"); RFC 9485's grammar reads them
/// as ordinary characters.
struct IRegexp: Sendable {
    /// `Regex` is not declared `Sendable`; it is an immutable value whose lazily built program is
    /// forced in `init` (by one match on ""), so sharing it afterwards only reads it.
    private final class Box: @unchecked Sendable {
        let regex: Regex<AnyRegexOutput>
        init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
    }

    private let box: Box

    /// Compiles `pattern`, or returns nil when it is not a valid I-Regexp.
    init?(_ pattern: String) {
        guard let translated = IRegexpTranslator.translate(pattern),
            let regex = try? Regex(translated)
        else { return nil }
        let scalarRegex = regex.matchingSemantics(.unicodeScalar)
        _ = try? scalarRegex.wholeMatch(in: "")
        box = Box(scalarRegex)
    }

    /// True when the whole of `text` matches (`match()`).
    func matchesWhole(_ text: String) -> Bool {
        (try? box.regex.wholeMatch(in: text)) != nil
    }

    /// True when some substring of `text` matches (`search()`).
    func matchesPart(_ text: String) -> Bool {
        (try? box.regex.firstMatch(in: text)) != nil
    }

    /// A pattern as a cache key: `String` hashing and `==` treat canonically equivalent strings as
    /// equal, but "é" and "e\u{301}" are different patterns.
    private struct Key: Hashable {
        let pattern: String
        static func == (lhs: Key, rhs: Key) -> Bool { lhs.pattern.hasSameScalars(as: rhs.pattern) }
        func hash(into hasher: inout Hasher) {
            for byte in pattern.utf8 { hasher.combine(byte) }
        }
    }

    private static let cache = Mutex<[Key: IRegexp?]>([:])
    private static let cacheLimit = 256

    /// The compiled pattern for a pattern computed at evaluation time, from a small shared cache.
    static func cached(_ pattern: String) -> IRegexp? {
        let key = Key(pattern: pattern)
        if let hit = cache.withLock({ $0[key] }) { return hit }
        let compiled = IRegexp(pattern)
        cache.withLock { cache in
            if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[key] = .some(compiled)
        }
        return compiled
    }
}

/// Checks the RFC 9485 grammar and writes the equivalent Swift regex syntax.
struct IRegexpTranslator {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var output = ""

    private init(_ pattern: String) {
        scalars = Array(pattern.unicodeScalars)
    }

    /// The Swift regex text for `pattern`, or nil when `pattern` is not an I-Regexp.
    static func translate(_ pattern: String) -> String? {
        var translator = IRegexpTranslator(pattern)
        guard translator.regexp(), translator.position == translator.scalars.count else { return nil }
        return translator.output
    }

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func regexp() -> Bool {
        guard branch() else { return false }
        while peek == "|" {
            position += 1
            output += "|"
            guard branch() else { return false }
        }
        return true
    }

    private mutating func branch() -> Bool {
        while let c = peek, c != "|", c != ")" {
            if c == "^" || c == "$" {
                // Anchors take no quantifier: a following `*` fails as an atom.
                position += 1
                output += c == "^" ? "\\A" : "\\z"
                continue
            }
            guard atom(), quantifier() else { return false }
        }
        return true
    }

    private mutating func atom() -> Bool {
        guard let c = peek else { return false }
        switch c {
        case "(":
            position += 1
            output += "(?:"
            guard regexp(), peek == ")" else { return false }
            position += 1
            output += ")"
            return true
        case ".":
            position += 1
            output += "[^\\n\\r]"
            return true
        case "[":
            position += 1
            return characterClass()
        case "\\":
            if let property = categoryEscape() {
                output += property
                return true
            }
            guard let scalar = singleCharacterEscape() else { return false }
            appendLiteral(scalar)
            return true
        case "*", "+", "?", "{", "}", "]", ")", "|":
            return false
        default:
            position += 1
            appendLiteral(c)
            return true
        }
    }

    private mutating func quantifier() -> Bool {
        guard let c = peek else { return true }
        switch c {
        case "*", "+", "?":
            position += 1
            output.unicodeScalars.append(c)
            return true
        case "{":
            position += 1
            guard let low = digits() else { return false }
            var text = "{\(low)"
            if peek == "," {
                position += 1
                text += ","
                if let high = digits() {
                    guard low <= high else { return false }
                    text += "\(high)"
                }
            }
            guard peek == "}" else { return false }
            position += 1
            output += text + "}"
            return true
        default:
            return true
        }
    }

    private mutating func digits() -> Int? {
        var value = 0
        let start = position
        while let c = peek, ("0"..."9").contains(c) {
            value = value.multipliedReportingOverflow(by: 10).partialValue + Int(c.value - 48)
            guard value <= 100_000 else { return nil }
            position += 1
        }
        return position > start ? value : nil
    }

    /// `[...]` after the `[`: ranges, single characters, escapes, a leading or trailing `-`.
    private mutating func characterClass() -> Bool {
        if peek == "^" {
            position += 1
            output += "[^"
        } else {
            output += "["
        }
        var isFirst = true
        while true {
            guard let c = peek else { return false }
            if c == "]" {
                guard !isFirst else { return false }
                position += 1
                output += "]"
                return true
            }
            defer { isFirst = false }
            if c == "-" {
                let isLast = position + 1 < scalars.count && scalars[position + 1] == "]"
                guard isFirst || isLast else { return false }
                position += 1
                appendLiteral("-")
                continue
            }
            if let property = categoryEscape() {
                output += property
                continue
            }
            guard let low = classCharacter() else { return false }
            if peek == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                position += 1
                guard let high = classCharacter(), low.value <= high.value else { return false }
                appendLiteral(low)
                output += "-"
                appendLiteral(high)
            } else {
                appendLiteral(low)
            }
        }
    }

    private mutating func classCharacter() -> Unicode.Scalar? {
        guard let c = peek else { return nil }
        switch c {
        case "\\": return singleCharacterEscape()
        case "-", "[", "]": return nil
        default:
            position += 1
            return c
        }
    }

    /// `\n`, `\r`, `\t` or an escaped metacharacter, at a backslash.
    private mutating func singleCharacterEscape() -> Unicode.Scalar? {
        guard peek == "\\", position + 1 < scalars.count else { return nil }
        let c = scalars[position + 1]
        let result: Unicode.Scalar
        switch c {
        case "n": result = "\n"
        case "r": result = "\r"
        case "t": result = "\t"
        case "(", ")", "*", "+", "-", ".", "?", "[", "\\", "]", "^", "{", "|", "}": result = c
        default: return nil
        }
        position += 2
        return result
    }

    private static let categories: Set<String> = [
        "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "Z", "Zl", "Zp", "Zs",
        "S", "Sc", "Sk", "Sm", "So", "C", "Cc", "Cf", "Cn", "Co",
    ]

    /// `\p{..}` or `\P{..}` with a general category, at a backslash; nil (consuming nothing) otherwise.
    private mutating func categoryEscape() -> String? {
        guard peek == "\\", position + 2 < scalars.count,
            scalars[position + 1] == "p" || scalars[position + 1] == "P", scalars[position + 2] == "{"
        else { return nil }
        var end = position + 3
        var name = ""
        while end < scalars.count, scalars[end] != "}", name.unicodeScalars.count < 3 {
            name.unicodeScalars.append(scalars[end])
            end += 1
        }
        guard end < scalars.count, scalars[end] == "}", Self.categories.contains(name) else { return nil }
        let text = "\\\(scalars[position + 1]){\(name)}"
        position = end + 1
        return text
    }

    private mutating func appendLiteral(_ scalar: Unicode.Scalar) {
        output += "\\u{\(String(scalar.value, radix: 16))}"
    }
}
