import FlowJSON

/// A string with `${...}` expressions, compiled once. `$${` writes a literal `${`.
///
/// A template that is exactly one `${expr}` keeps the expression's JSON type (so
/// `batch_size: ${params.size}` stays an integer); otherwise the parts are joined as text.
public struct Template: Sendable {
    public enum Part: Sendable {
        case text(String)
        /// The compiled expression, its source and its character offset inside the template.
        case expression(any CompiledExpression, source: String, offset: Int)
    }

    public var parts: [Part]
    public var source: String

    /// The expression sources, in order.
    public var expressionSources: [String] {
        parts.compactMap { if case .expression(_, let s, _) = $0 { return s } else { return nil } }
    }

    /// True when `text` contains `${` and so must be compiled.
    public static func containsInterpolation(_ text: String) -> Bool {
        text.contains("${")
    }

    /// Compiles `text`; errors carry the offset inside `text` in Unicode scalars (how columns count).
    public init(_ text: String, language: any ExpressionLanguage) throws(ExpressionError) {
        source = text
        parts = []
        let scalars = Array(text.unicodeScalars)
        var literal = ""
        var literalStart = 0
        func flushLiteral(upTo end: Int) {
            if end > literalStart { literal += String(String.UnicodeScalarView(scalars[literalStart..<end])) }
        }
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "$", i + 2 < scalars.count, scalars[i + 1] == "$", scalars[i + 2] == "{" {
                flushLiteral(upTo: i)
                literal += "${"
                i += 3
                literalStart = i
                continue
            }
            guard c == "$", i + 1 < scalars.count, scalars[i + 1] == "{" else {
                i += 1
                continue
            }
            flushLiteral(upTo: i)
            let start = i + 2
            guard let end = Template.closingBrace(scalars, from: start) else {
                throw ExpressionError(message: "unterminated `${`: add the closing `}`", offset: i)
            }
            if !literal.isEmpty {
                parts.append(.text(literal))
                literal = ""
            }
            let source = String(String.UnicodeScalarView(scalars[start..<end]))
            if source.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
                throw ExpressionError(message: "empty `${}`", offset: i)
            }
            do {
                let compiled = try language.compile(source)
                parts.append(.expression(compiled, source: source, offset: start))
            } catch {
                throw ExpressionError(code: error.code, message: error.message, offset: start + (error.offset ?? 0))
            }
            i = end + 1
            literalStart = i
        }
        flushLiteral(upTo: scalars.count)
        if !literal.isEmpty || parts.isEmpty { parts.append(.text(literal)) }
    }

    /// Finds the `}` closing an interpolation, skipping braces inside nested braces and string literals.
    static func closingBrace(_ scalars: [Unicode.Scalar], from start: Int) -> Int? {
        var depth = 0
        var quote: Unicode.Scalar?
        var i = start
        while i < scalars.count {
            let c = scalars[i]
            if let q = quote {
                if c == "\\" { i += 2; continue }
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "{" {
                depth += 1
            } else if c == "}" {
                if depth == 0 { return i }
                depth -= 1
            }
            i += 1
        }
        return nil
    }

    /// True when the template is one expression and nothing else.
    public var isSingleExpression: Bool {
        parts.count == 1 && { if case .expression = parts[0] { return true } else { return false } }()
    }

    /// Evaluates against `scope` (the object holding `params`, `env`, `secrets`, `run`, maybe `record`).
    public func evaluate(_ scope: JSON, bindings: ExpressionBindings) throws(ExpressionError) -> JSON {
        if parts.count == 1, case .expression(let expression, _, let offset) = parts[0] {
            do {
                return try expression.evaluate(scope, bindings: bindings) ?? .null
            } catch {
                throw ExpressionError(code: error.code, message: error.message, offset: offset + (error.offset ?? 0))
            }
        }
        var text = ""
        for part in parts {
            switch part {
            case .text(let s): text += s
            case .expression(let expression, _, let offset):
                do {
                    if let value = try expression.evaluate(scope, bindings: bindings) { text += value.interpolationText }
                } catch {
                    throw ExpressionError(code: error.code, message: error.message, offset: offset + (error.offset ?? 0))
                }
            }
        }
        return .string(text)
    }
}
