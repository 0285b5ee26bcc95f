import FlowJSON

/// A small expression language: paths (`params.api_url`, `record.items[0]`, `$run.id`), literals,
/// comparisons (`=`, `!=`, `<`, `<=`, `>`, `>=`), `and`, `or`, `not(...)` and parentheses.
///
/// It lets the engine core be used and tested on its own; `flow` itself plugs in JSONata, of which
/// this is a subset with the same meaning.
public struct PathExpressionLanguage: ExpressionLanguage {
    public init() {}

    public func compile(_ source: String) throws(ExpressionError) -> any CompiledExpression {
        var parser = Parser(chars: Array(source))
        let node = try parser.parseOr()
        parser.skipSpace()
        if parser.position < parser.chars.count {
            throw ExpressionError(code: "S0201", message: "unexpected `\(parser.chars[parser.position])`", offset: parser.position)
        }
        return Compiled(node: node)
    }

    indirect enum Node: Sendable {
        case literal(JSON)
        case path(variable: Bool, steps: [Step])
        case compare(String, Node, Node)
        case and(Node, Node)
        case or(Node, Node)
        case not(Node)
    }

    enum Step: Sendable {
        case name(String)
        case index(Int)
    }

    struct Compiled: CompiledExpression {
        let node: Node

        func evaluate(_ input: JSON?, bindings: ExpressionBindings) throws(ExpressionError) -> JSON? {
            eval(node, input, bindings)
        }

        func eval(_ node: Node, _ input: JSON?, _ bindings: ExpressionBindings) -> JSON? {
            switch node {
            case .literal(let v): return v
            case .path(let variable, let steps):
                var current: JSON?
                var rest = steps[...]
                if variable, case .name(let n)? = rest.first {
                    current = bindings.values[n]
                    rest = rest.dropFirst()
                } else {
                    current = input
                }
                for step in rest {
                    switch step {
                    case .name(let n): current = current?[n]
                    case .index(let i):
                        guard case .array(let a)? = current else { return nil }
                        let j = i < 0 ? a.count + i : i
                        current = a.indices.contains(j) ? a[j] : nil
                    }
                }
                return current
            case .compare(let op, let l, let r):
                guard let a = eval(l, input, bindings), let b = eval(r, input, bindings) else { return .bool(false) }
                switch op {
                case "=": return .bool(a == b)
                case "!=": return .bool(a != b)
                default:
                    if let x = a.doubleValue, let y = b.doubleValue {
                        return .bool(op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y)
                    }
                    if let x = a.stringValue, let y = b.stringValue {
                        return .bool(op == "<" ? x < y : op == "<=" ? x <= y : op == ">" ? x > y : x >= y)
                    }
                    return .bool(false)
                }
            case .and(let l, let r):
                return .bool((eval(l, input, bindings)?.isTruthy ?? false) && (eval(r, input, bindings)?.isTruthy ?? false))
            case .or(let l, let r):
                return .bool((eval(l, input, bindings)?.isTruthy ?? false) || (eval(r, input, bindings)?.isTruthy ?? false))
            case .not(let e):
                return .bool(!(eval(e, input, bindings)?.isTruthy ?? false))
            }
        }
    }

    struct Parser {
        let chars: [Character]
        var position = 0

        mutating func skipSpace() {
            while position < chars.count, chars[position].isWhitespace { position += 1 }
        }

        mutating func keyword(_ word: String) -> Bool {
            skipSpace()
            let w = Array(word)
            guard position + w.count <= chars.count, Array(chars[position..<position + w.count]) == w else { return false }
            let after = position + w.count
            if after < chars.count, chars[after].isLetter || chars[after].isNumber || chars[after] == "_" { return false }
            position = after
            return true
        }

        mutating func parseOr() throws(ExpressionError) -> Node {
            var left = try parseAnd()
            while keyword("or") { left = .or(left, try parseAnd()) }
            return left
        }

        mutating func parseAnd() throws(ExpressionError) -> Node {
            var left = try parseComparison()
            while keyword("and") { left = .and(left, try parseComparison()) }
            return left
        }

        mutating func parseComparison() throws(ExpressionError) -> Node {
            let left = try parsePrimary()
            skipSpace()
            for op in ["!=", "<=", ">=", "=", "<", ">"] {
                let o = Array(op)
                if position + o.count <= chars.count, Array(chars[position..<position + o.count]) == o {
                    position += o.count
                    return .compare(op, left, try parsePrimary())
                }
            }
            return left
        }

        mutating func parsePrimary() throws(ExpressionError) -> Node {
            skipSpace()
            guard position < chars.count else {
                throw ExpressionError(code: "S0203", message: "expected a value, found the end of the expression", offset: position)
            }
            let c = chars[position]
            if c == "(" {
                position += 1
                let inner = try parseOr()
                skipSpace()
                guard position < chars.count, chars[position] == ")" else {
                    throw ExpressionError(code: "S0203", message: "expected `)`", offset: position)
                }
                position += 1
                return inner
            }
            if c == "\"" || c == "'" {
                position += 1
                var s = ""
                while position < chars.count, chars[position] != c {
                    if chars[position] == "\\", position + 1 < chars.count { position += 1 }
                    s.append(chars[position])
                    position += 1
                }
                guard position < chars.count else {
                    throw ExpressionError(code: "S0101", message: "unterminated string literal", offset: position)
                }
                position += 1
                return .literal(.string(s))
            }
            if c.isNumber || (c == "-" && position + 1 < chars.count && chars[position + 1].isNumber) {
                let start = position
                position += 1
                while position < chars.count, chars[position].isNumber || chars[position] == "." { position += 1 }
                let text = String(chars[start..<position])
                if let i = Int(text) { return .literal(.int(i)) }
                if let d = Double(text) { return .literal(.double(d)) }
                throw ExpressionError(code: "S0102", message: "invalid number `\(text)`", offset: start)
            }
            if keyword("true") { return .literal(.bool(true)) }
            if keyword("false") { return .literal(.bool(false)) }
            if keyword("null") { return .literal(.null) }
            let save = position
            if keyword("not") {
                skipSpace()
                if position < chars.count, chars[position] == "(" { return .not(try parsePrimary()) }
                position = save
            }
            return try parsePath()
        }

        mutating func parsePath() throws(ExpressionError) -> Node {
            var variable = false
            if chars[position] == "$" {
                variable = true
                position += 1
            }
            var steps: [Step] = []
            steps.append(.name(try identifier()))
            while position < chars.count {
                if chars[position] == "." {
                    position += 1
                    steps.append(.name(try identifier()))
                } else if chars[position] == "[" {
                    position += 1
                    let start = position
                    while position < chars.count, chars[position] != "]" { position += 1 }
                    guard position < chars.count, let i = Int(String(chars[start..<position]).trimmingWhitespace()) else {
                        throw ExpressionError(code: "S0203", message: "expected an integer index and `]`", offset: start)
                    }
                    position += 1
                    steps.append(.index(i))
                } else {
                    break
                }
            }
            return .path(variable: variable, steps: steps)
        }

        mutating func identifier() throws(ExpressionError) -> String {
            let start = position
            if position < chars.count, chars[position] == "`" {
                position += 1
                while position < chars.count, chars[position] != "`" { position += 1 }
                guard position < chars.count else {
                    throw ExpressionError(code: "S0105", message: "unterminated quoted name", offset: start)
                }
                position += 1
                return String(chars[start + 1..<position - 1])
            }
            while position < chars.count, chars[position].isLetter || chars[position].isNumber || chars[position] == "_" {
                position += 1
            }
            guard position > start else {
                let found = position < chars.count ? "`\(chars[position])`" : "the end of the expression"
                throw ExpressionError(code: "S0211", message: "expected a name, found \(found)", offset: start)
            }
            return String(chars[start..<position])
        }
    }
}
