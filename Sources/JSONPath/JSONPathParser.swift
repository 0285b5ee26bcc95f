import FlowJSON

/// A recursive-descent parser for the RFC 9535 grammar that checks filter expressions against the
/// function type rules while it builds them. Offsets in errors count Unicode scalars.
struct JSONPathParser {
    /// Deeper nesting of parentheses, filters and function calls is rejected rather than risking the stack.
    static let maximumNesting = 128

    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var nesting = 0

    private init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// Parses a complete query: `$` followed by segments, with no surrounding whitespace.
    static func parse(_ text: String) throws(JSONPathError) -> [Segment] {
        var parser = JSONPathParser(text)
        return try parser.query()
    }

    // MARK: Queries and segments

    private mutating func query() throws(JSONPathError) -> [Segment] {
        guard peek == "$" else {
            if let c = peek, Self.isBlank(c) {
                throw JSONPathError(.syntax, "leading whitespace is not allowed", at: 0)
            }
            throw .expected("'$'", at: 0)
        }
        position += 1
        let result = try segments()
        if position < scalars.count {
            let blankStart = position
            skipBlanks()
            if position == scalars.count {
                throw JSONPathError(.syntax, "trailing whitespace is not allowed", at: blankStart)
            }
            throw .expected("'.', '..', '[' or the end of the query", at: position)
        }
        return result
    }

    /// `*(S segment)`: stops, before any whitespace, where no further segment starts.
    private mutating func segments() throws(JSONPathError) -> [Segment] {
        var result: [Segment] = []
        while true {
            let save = position
            skipBlanks()
            guard let c = peek, c == "." || c == "[" else {
                position = save
                return result
            }
            result.append(try segment())
        }
    }

    private mutating func segment() throws(JSONPathError) -> Segment {
        if peek == "[" { return .child(try bracketedSelection()) }
        position += 1  // "."
        if peek == "." {
            position += 1
            guard let c = peek else { throw .expected("'[', '*' or a member name", at: position) }
            if c == "[" { return .descendant(try bracketedSelection()) }
            if c == "*" {
                position += 1
                return .descendant([.wildcard])
            }
            guard Self.isNameFirst(c) else { throw .expected("'[', '*' or a member name", at: position) }
            return .descendant([.name(memberName())])
        }
        guard let c = peek else { throw .expected("'*' or a member name", at: position) }
        if c == "*" {
            position += 1
            return .child([.wildcard])
        }
        guard Self.isNameFirst(c) else { throw .expected("'*' or a member name", at: position) }
        return .child([.name(memberName())])
    }

    private mutating func memberName() -> String {
        var name = String.UnicodeScalarView()
        while let c = peek, Self.isNameFirst(c) || Self.isDigit(c) {
            name.append(c)
            position += 1
        }
        return String(name)
    }

    /// `"[" S selector *(S "," S selector) S "]"`, at the `[`.
    private mutating func bracketedSelection() throws(JSONPathError) -> [Selector] {
        position += 1
        skipBlanks()
        var selectors: [Selector] = []
        while true {
            selectors.append(try selector())
            skipBlanks()
            guard let c = peek else { throw .expected("']'", at: position) }
            if c == "]" {
                position += 1
                return selectors
            }
            guard c == "," else { throw .expected("',' or ']'", at: position) }
            position += 1
            skipBlanks()
        }
    }

    private mutating func selector() throws(JSONPathError) -> Selector {
        guard let c = peek else { throw .expected("a selector", at: position) }
        switch c {
        case "'", "\"":
            return .name(try stringLiteral())
        case "*":
            position += 1
            return .wildcard
        case "?":
            position += 1
            skipBlanks()
            let expression = try logicalOr()
            return .filter(try logical(expression))
        case ":", "-", "0"..."9":
            return try indexOrSlice()
        default:
            throw .expected("a selector", at: position)
        }
    }

    private mutating func indexOrSlice() throws(JSONPathError) -> Selector {
        let start: Int? = peek == ":" ? nil : try integer()
        let afterStart = position
        skipBlanks()
        guard peek == ":" else {
            position = afterStart
            return .index(start!)
        }
        position += 1
        skipBlanks()
        var end: Int?
        if let c = peek, c == "-" || Self.isDigit(c) {
            end = try integer()
            skipBlanks()
        }
        var step: Int?
        if peek == ":" {
            position += 1
            skipBlanks()
            if let c = peek, c == "-" || Self.isDigit(c) { step = try integer() }
        }
        return .slice(start: start, end: end, step: step)
    }

    /// The largest magnitude I-JSON guarantees to be exact: 2^53-1.
    static let maximumInteger = 9_007_199_254_740_991

    /// `int`: `0` or an optionally negative integer without leading zeros, within ±(2^53-1).
    private mutating func integer() throws(JSONPathError) -> Int {
        let start = position
        let negative = peek == "-"
        if negative { position += 1 }
        guard let first = peek, Self.isDigit(first) else { throw .expected("a digit", at: position) }
        if first == "0" {
            position += 1
            if negative { throw JSONPathError(.syntax, "'-0' is not a valid integer", at: start) }
            if let c = peek, Self.isDigit(c) {
                throw JSONPathError(.syntax, "leading zeros are not allowed", at: start)
            }
            return 0
        }
        var value = 0
        while let c = peek, Self.isDigit(c) {
            if value <= Self.maximumInteger { value = value * 10 + Int(c.value - 48) }
            position += 1
        }
        guard value <= Self.maximumInteger else {
            throw JSONPathError(.outOfRange, "integer is outside the I-JSON range ±(2^53-1)", at: start)
        }
        return negative ? -value : value
    }

    // MARK: String literals

    /// A single- or double-quoted string literal, at the quote.
    private mutating func stringLiteral() throws(JSONPathError) -> String {
        let quote = scalars[position]
        position += 1
        var result = String.UnicodeScalarView()
        while true {
            guard let c = peek else { throw .expected(quote == "'" ? "\"'\"" : "'\"'", at: position) }
            if c == quote {
                position += 1
                return String(result)
            }
            if c == "\\" {
                result.append(try escapeSequence(quote: quote))
                continue
            }
            if c.value < 0x20 {
                throw JSONPathError(
                    .syntax, "control character U+\(Self.hex4(c.value)) must be escaped", at: position)
            }
            result.append(c)
            position += 1
        }
    }

    private mutating func escapeSequence(quote: Unicode.Scalar) throws(JSONPathError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let c = peek else { throw .expected("an escape sequence", at: position) }
        position += 1
        switch c {
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "/", "\\": return c
        case "u":
            let value = try hexQuad()
            switch value {
            case 0xD800...0xDBFF:
                guard peek == "\\", position + 1 < scalars.count, scalars[position + 1] == "u" else {
                    throw JSONPathError(
                        .syntax, "high surrogate must be followed by '\\u' and a low surrogate", at: start)
                }
                position += 2
                let low = try hexQuad()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONPathError(.syntax, "high surrogate must be followed by a low surrogate", at: start)
                }
                return Unicode.Scalar(0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00))!
            case 0xDC00...0xDFFF:
                throw JSONPathError(.syntax, "lone low surrogate", at: start)
            default:
                return Unicode.Scalar(value)!
            }
        default:
            if c == quote { return c }
            throw JSONPathError(.syntax, "invalid escape sequence '\\\(c)'", at: start)
        }
    }

    private mutating func hexQuad() throws(JSONPathError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek, let digit = Self.hexValue(c) else {
                throw .expected("four hexadecimal digits", at: position)
            }
            value = value * 16 + digit
            position += 1
        }
        return value
    }

    // MARK: Filter expressions

    /// A parsed filter operand before it is converted to the type its context needs.
    private struct Operand {
        enum Kind {
            case literal(JSON)
            case query(EmbeddedQuery)
            case function(FunctionCall)
            case logical(LogicalExpression)
        }

        var kind: Kind
        var start: Int
    }

    /// `logical-or-expr`; a lone literal, query or function call is returned unconverted, since as a
    /// function argument it may stand for a value or a node list.
    private mutating func logicalOr() throws(JSONPathError) -> Operand {
        nesting += 1
        defer { nesting -= 1 }
        guard nesting <= Self.maximumNesting else {
            throw JSONPathError(.syntax, "filter expression is nested too deeply", at: position)
        }
        let start = position
        let first = try logicalAnd()
        guard lookingAt("|", "|") else { return first }
        var terms = [try logical(first)]
        while lookingAt("|", "|") {
            skipBlanks()
            position += 2
            skipBlanks()
            terms.append(try logical(try logicalAnd()))
        }
        return Operand(kind: .logical(.or(terms)), start: start)
    }

    private mutating func logicalAnd() throws(JSONPathError) -> Operand {
        let start = position
        let first = try basic()
        guard lookingAt("&", "&") else { return first }
        var terms = [try logical(first)]
        while lookingAt("&", "&") {
            skipBlanks()
            position += 2
            skipBlanks()
            terms.append(try logical(try basic()))
        }
        return Operand(kind: .logical(.and(terms)), start: start)
    }

    /// True when the next two scalars after optional whitespace are `a` and `b`; consumes nothing.
    private mutating func lookingAt(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Bool {
        let save = position
        defer { position = save }
        skipBlanks()
        return position + 1 < scalars.count && scalars[position] == a && scalars[position + 1] == b
    }

    /// `paren-expr`, `comparison-expr` or `test-expr`.
    private mutating func basic() throws(JSONPathError) -> Operand {
        let start = position
        if peek == "!" {
            position += 1
            skipBlanks()
            if peek == "(" { return Operand(kind: .logical(.not(try parenthesized())), start: start) }
            let operand = try primary()
            let save = position
            skipBlanks()
            if comparisonOperator() != nil {
                throw JSONPathError(
                    .syntax, "a comparison cannot be negated without parentheses: use '!(...)'", at: start)
            }
            position = save
            return Operand(kind: .logical(.not(try logical(operand))), start: start)
        }
        if peek == "(" { return Operand(kind: .logical(try parenthesized()), start: start) }
        let left = try primary()
        let save = position
        skipBlanks()
        guard let op = comparisonOperator() else {
            position = save
            return left
        }
        skipBlanks()
        let right = try primary()
        return Operand(kind: .logical(.comparison(try value(left), op, try value(right))), start: start)
    }

    private mutating func parenthesized() throws(JSONPathError) -> LogicalExpression {
        position += 1
        skipBlanks()
        let inner = try logicalOr()
        skipBlanks()
        guard peek == ")" else { throw .expected("')'", at: position) }
        position += 1
        return try logical(inner)
    }

    /// Consumes a comparison operator if one is next.
    private mutating func comparisonOperator() -> ComparisonOperator? {
        guard let c = peek else { return nil }
        let next = position + 1 < scalars.count ? scalars[position + 1] : nil
        let op: ComparisonOperator
        switch (c, next) {
        case ("=", "="): op = .equal
        case ("!", "="): op = .notEqual
        case ("<", "="): op = .lessOrEqual
        case (">", "="): op = .greaterOrEqual
        case ("<", _): op = .less
        case (">", _): op = .greater
        default: return nil
        }
        position += op.rawValue.unicodeScalars.count
        return op
    }

    /// A literal, an embedded query or a function call.
    private mutating func primary() throws(JSONPathError) -> Operand {
        let start = position
        guard let c = peek else { throw .expected("a literal, query or function call", at: position) }
        switch c {
        case "@", "$":
            position += 1
            let query = EmbeddedQuery(isRelative: c == "@", segments: try segments())
            return Operand(kind: .query(query), start: start)
        case "'", "\"":
            return Operand(kind: .literal(.string(try stringLiteral())), start: start)
        case "-", "0"..."9":
            return Operand(kind: .literal(try number()), start: start)
        case "a"..."z":
            var name = ""
            while let d = peek, ("a"..."z").contains(d) || d == "_" || Self.isDigit(d) {
                name.unicodeScalars.append(d)
                position += 1
            }
            if peek == "(" { return try functionCall(name, start: start) }
            switch name {
            case "true": return Operand(kind: .literal(.bool(true)), start: start)
            case "false": return Operand(kind: .literal(.bool(false)), start: start)
            case "null": return Operand(kind: .literal(.null), start: start)
            default:
                skipBlanks()
                if peek == "(" {
                    throw JSONPathError(
                        .syntax, "no whitespace is allowed between a function name and '('",
                        at: start + name.unicodeScalars.count)
                }
                throw JSONPathError(
                    .syntax, "unknown name '\(name)': expected a literal, query or function call", at: start)
            }
        default:
            throw .expected("a literal, query or function call", at: start)
        }
    }

    /// `number`: JSON's number syntax, plus `-0`; integers that fit become `.int`.
    private mutating func number() throws(JSONPathError) -> JSON {
        let start = position
        var text = ""
        if peek == "-" {
            text += "-"
            position += 1
        }
        guard let first = peek, Self.isDigit(first) else { throw .expected("a digit", at: position) }
        if first == "0" {
            text += "0"
            position += 1
            if let c = peek, Self.isDigit(c) {
                throw JSONPathError(.syntax, "leading zeros are not allowed", at: start)
            }
        } else {
            appendDigits(to: &text)
        }
        var isInteger = true
        if peek == "." {
            isInteger = false
            text += "."
            position += 1
            guard let c = peek, Self.isDigit(c) else { throw .expected("a digit after '.'", at: position) }
            appendDigits(to: &text)
        }
        if peek == "e" || peek == "E" {
            isInteger = false
            text += "e"
            position += 1
            if let sign = peek, sign == "+" || sign == "-" {
                text.unicodeScalars.append(sign)
                position += 1
            }
            guard let c = peek, Self.isDigit(c) else { throw .expected("a digit in the exponent", at: position) }
            appendDigits(to: &text)
        }
        if isInteger, let int = Int(text) { return .int(int) }
        guard let double = Double(text), double.isFinite else {
            throw JSONPathError(.outOfRange, "number is out of range", at: start)
        }
        return .double(double)
    }

    private mutating func appendDigits(to text: inout String) {
        while let c = peek, Self.isDigit(c) {
            text.unicodeScalars.append(c)
            position += 1
        }
    }

    /// `function-expr` after its name, at the `(`; arguments are checked against the parameter types.
    private mutating func functionCall(_ name: String, start: Int) throws(JSONPathError) -> Operand {
        position += 1
        skipBlanks()
        var arguments: [Operand] = []
        if peek == ")" {
            position += 1
        } else {
            while true {
                arguments.append(try logicalOr())
                skipBlanks()
                if peek == "," {
                    position += 1
                    skipBlanks()
                    continue
                }
                guard peek == ")" else { throw .expected("',' or ')'", at: position) }
                position += 1
                break
            }
        }
        guard let function = FunctionExtension(rawValue: name) else {
            throw JSONPathError(.unknownFunction, "unknown function '\(name)'", at: start)
        }
        let parameters = function.parameters
        guard arguments.count == parameters.count else {
            let plural = parameters.count == 1 ? "argument" : "arguments"
            throw JSONPathError(
                .type, "\(name)() takes \(parameters.count) \(plural), not \(arguments.count)", at: start)
        }
        var converted: [FunctionArgument] = []
        for (argument, parameter) in zip(arguments, parameters) {
            switch parameter {
            case .value:
                converted.append(.value(try value(argument)))
            case .logical:
                converted.append(.logical(try logical(argument)))
            case .nodes:
                guard case .query(let query) = argument.kind else {
                    throw JSONPathError(.type, "argument of \(name)() must be a query (NodesType)", at: argument.start)
                }
                converted.append(.nodes(query))
            }
        }
        return Operand(kind: .function(FunctionCall(function: function, arguments: converted)), start: start)
    }

    // MARK: Type rules (RFC 9535 §2.4.3)

    /// The operand as LogicalType: logical expressions as they are, queries as existence tests,
    /// LogicalType or NodesType functions.
    private func logical(_ operand: Operand) throws(JSONPathError) -> LogicalExpression {
        switch operand.kind {
        case .logical(let expression):
            return expression
        case .query(let query):
            return .exists(query)
        case .function(let call):
            guard call.function.result != .value else {
                throw JSONPathError(
                    .type, "\(call.function.rawValue)() returns a ValueType: compare its result instead of testing it",
                    at: operand.start)
            }
            return .function(call)
        case .literal:
            throw JSONPathError(
                .type, "a literal cannot be tested on its own: compare it with something", at: operand.start)
        }
    }

    /// The operand as ValueType: literals, singular queries, ValueType functions.
    private func value(_ operand: Operand) throws(JSONPathError) -> ValueExpression {
        switch operand.kind {
        case .literal(let value):
            return .literal(value)
        case .query(let query):
            guard query.isSingular else {
                throw JSONPathError(.type, "a non-singular query cannot be used as a value", at: operand.start)
            }
            return .query(query)
        case .function(let call):
            guard call.function.result == .value else {
                throw JSONPathError(
                    .type,
                    "\(call.function.rawValue)() returns a \(call.function.result), which cannot be used as a value",
                    at: operand.start)
            }
            return .function(call)
        case .logical:
            throw JSONPathError(.type, "a logical expression cannot be used as a value", at: operand.start)
        }
    }

    // MARK: Characters

    private var peek: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipBlanks() {
        while let c = peek, Self.isBlank(c) { position += 1 }
    }

    private static func isBlank(_ c: Unicode.Scalar) -> Bool {
        c == " " || c == "\t" || c == "\n" || c == "\r"
    }

    private static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    private static func isNameFirst(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c.value >= 0x80
    }

    private static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
