/// A token of the JSONata grammar.
struct Token {
    enum Kind { case op, string, number, name, variable, value, regex, end }
    var kind: Kind
    var text: String  // operator, name, string content, value keyword
    var number: Double = 0
    var regexFlags: String = ""
    /// Offset just after the token (as jsonata-js reports it).
    var position: Int
}

/// Splits JSONata source into tokens; `next(prefix:)` follows jsonata-js (a `/` starts a regex unless the
/// previous token ended an operand).
struct Lexer {
    let src: [Unicode.Scalar]
    var pos = 0

    static let operators: [String: Int] = [
        ".": 75, "[": 80, "]": 0, "{": 70, "}": 0, "(": 80, ")": 0, ",": 0, "@": 80, "#": 80, ";": 80,
        ":": 80, "?": 20, "+": 50, "-": 50, "*": 60, "/": 60, "%": 60, "|": 20, "=": 40, "<": 40, ">": 40,
        "^": 40, "**": 60, "..": 20, ":=": 10, "!=": 40, "<=": 40, ">=": 40, "~>": 40, "?:": 40, "??": 40,
        "and": 30, "or": 25, "in": 40, "&": 50, "!": 0, "~": 0,
    ]
    static let singleOps: Set<Unicode.Scalar> = Set(".[]{}(),@#;:?+-*/%|=<>^&!~".unicodeScalars)

    init(_ source: String) { src = Array(source.unicodeScalars) }

    func at(_ i: Int) -> Unicode.Scalar? { i < src.count ? src[i] : nil }

    mutating func next(prefix: Bool) throws(JSONataError) -> Token? {
        while pos < src.count, " \t\n\r\u{0B}".unicodeScalars.contains(src[pos]) { pos += 1 }
        guard pos < src.count else { return nil }
        let c = src[pos]
        if c == "/" && at(pos + 1) == "*" {
            let start = pos
            pos += 2
            while !(at(pos) == "*" && at(pos + 1) == "/") {
                pos += 1
                if pos >= src.count { throw JSONataError(code: "S0106", position: start) }
            }
            pos += 2
            return try next(prefix: prefix)
        }
        if !prefix && c == "/" {
            pos += 1
            return try scanRegex()
        }
        let c1 = at(pos + 1)
        func op(_ s: String, _ n: Int) -> Token {
            pos += n
            return Token(kind: .op, text: s, position: pos)
        }
        if c == "." && c1 == "." { return op("..", 2) }
        if c == ":" && c1 == "=" { return op(":=", 2) }
        if c == "!" && c1 == "=" { return op("!=", 2) }
        if c == ">" && c1 == "=" { return op(">=", 2) }
        if c == "<" && c1 == "=" { return op("<=", 2) }
        if c == "*" && c1 == "*" { return op("**", 2) }
        if c == "~" && c1 == ">" { return op("~>", 2) }
        if c == "?" && c1 == ":" { return op("?:", 2) }
        if c == "?" && c1 == "?" { return op("??", 2) }
        if Lexer.singleOps.contains(c) { return op(String(c), 1) }
        if c == "\"" || c == "'" {
            let quote = c
            pos += 1
            var s = String.UnicodeScalarView()
            while pos < src.count {
                var ch = src[pos]
                if ch == "\\" {
                    pos += 1
                    guard pos < src.count else { break }
                    ch = src[pos]
                    switch ch {
                    case "\"": s.append("\"")
                    case "\\": s.append("\\")
                    case "/": s.append("/")
                    case "b": s.append("\u{08}")
                    case "f": s.append("\u{0C}")
                    case "n": s.append("\n")
                    case "r": s.append("\r")
                    case "t": s.append("\t")
                    case "u":
                        guard let code = hex4(pos + 1) else { throw JSONataError(code: "S0104", position: pos) }
                        pos += 4
                        if code >= 0xD800 && code < 0xDC00, at(pos + 1) == "\\", at(pos + 2) == "u",
                            let low = hex4(pos + 3), low >= 0xDC00 && low < 0xE000
                        {
                            let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            s.append(Unicode.Scalar(combined)!)
                            pos += 6
                        } else if let u = Unicode.Scalar(code) {
                            s.append(u)
                        } else {
                            s.append("\u{FFFD}")
                        }
                    default:
                        throw JSONataError(code: "S0103", position: pos, token: String(ch))
                    }
                } else if ch == quote {
                    pos += 1
                    return Token(kind: .string, text: String(s), position: pos)
                } else {
                    s.append(ch)
                }
                pos += 1
            }
            throw JSONataError(code: "S0101", position: pos)
        }
        if c.properties.numericType != nil && ("0"..."9").contains(c) {
            let start = pos
            var i = pos
            if src[i] == "0" { i += 1 } else { while i < src.count, ("0"..."9").contains(src[i]) { i += 1 } }
            if at(i) == ".", let d = at(i + 1), ("0"..."9").contains(d) {
                i += 1
                while i < src.count, ("0"..."9").contains(src[i]) { i += 1 }
            }
            if let e = at(i), e == "e" || e == "E" {
                var j = i + 1
                if let sgn = at(j), sgn == "+" || sgn == "-" { j += 1 }
                if let d = at(j), ("0"..."9").contains(d) {
                    while j < src.count, ("0"..."9").contains(src[j]) { j += 1 }
                    i = j
                }
            }
            let text = String(String.UnicodeScalarView(src[start..<i]))
            pos = i
            guard let d = Double(text), d.isFinite else {
                throw JSONataError(code: "S0102", position: start, token: text)
            }
            return Token(kind: .number, text: text, number: d, position: pos)
        }
        if c == "`" {
            pos += 1
            let start = pos
            while pos < src.count && src[pos] != "`" { pos += 1 }
            guard pos < src.count else { throw JSONataError(code: "S0105", position: pos) }
            let name = String(String.UnicodeScalarView(src[start..<pos]))
            pos += 1
            return Token(kind: .name, text: name, position: pos)
        }
        let start = pos
        var i = pos
        while i < src.count {
            let ch = src[i]
            if " \t\n\r\u{0B}".unicodeScalars.contains(ch) || Lexer.singleOps.contains(ch) { break }
            i += 1
        }
        let word = String(String.UnicodeScalarView(src[start..<i]))
        pos = i
        if word.hasPrefix("$") {
            return Token(kind: .variable, text: String(word.dropFirst()), position: pos)
        }
        switch word {
        case "and", "or", "in": return Token(kind: .op, text: word, position: pos)
        case "true", "false", "null": return Token(kind: .value, text: word, position: pos)
        default:
            if word.isEmpty {
                // an unrecognised character
                pos += 1
                return Token(kind: .op, text: String(c), position: pos)
            }
            return Token(kind: .name, text: word, position: pos)
        }
    }

    func hex4(_ i: Int) -> UInt32? {
        guard i + 4 <= src.count else { return nil }
        var v: UInt32 = 0
        for k in i..<(i + 4) {
            guard let d = src[k].properties.numericType != nil ? UInt32(String(src[k])) : hexLetter(src[k]) else {
                return nil
            }
            v = v * 16 + d
        }
        return v
    }

    func hexLetter(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "a", "A": return 10
        case "b", "B": return 11
        case "c", "C": return 12
        case "d", "D": return 13
        case "e", "E": return 14
        case "f", "F": return 15
        default: return nil
        }
    }

    mutating func scanRegex() throws(JSONataError) -> Token {
        let start = pos
        var depth = 0
        while pos < src.count {
            let c = src[pos]
            if c == "/" && depth == 0 {
                var backslashes = 0
                var k = pos - 1
                while k >= start && src[k] == "\\" {
                    backslashes += 1
                    k -= 1
                }
                if backslashes % 2 == 0 {
                    let pattern = String(String.UnicodeScalarView(src[start..<pos]))
                    if pattern.isEmpty { throw JSONataError(code: "S0301", position: pos) }
                    pos += 1
                    let fstart = pos
                    while let f = at(pos), f == "i" || f == "m" { pos += 1 }
                    let flags = String(String.UnicodeScalarView(src[fstart..<pos]))
                    return Token(kind: .regex, text: pattern, regexFlags: flags, position: pos)
                }
            }
            if (c == "(" || c == "[" || c == "{") && (pos == 0 || src[pos - 1] != "\\") { depth += 1 }
            if (c == ")" || c == "]" || c == "}") && (pos == 0 || src[pos - 1] != "\\") { depth -= 1 }
            pos += 1
        }
        throw JSONataError(code: "S0302", position: pos)
    }
}
