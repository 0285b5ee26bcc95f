import FlowJSON

/// Checks YAML values against field types, collecting located diagnostics, and compiles the
/// expressions and `${...}` templates it meets on the way.
struct FieldValidator {
    let language: any ExpressionLanguage
    /// Declared parameter names, to report `params.x` references to undeclared ones.
    let paramNames: Set<String>
    var diagnostics = Diagnostics()
    /// Templates by text: large workflows repeat the same `${params.x}` many times.
    var templates: [String: Template] = [:]

    init(language: any ExpressionLanguage, paramNames: Set<String>) {
        self.language = language
        self.paramNames = paramNames
    }

    /// Validates the fields of a mapping against `specs`. `context` names the owner in messages
    /// (e.g. "node `fetch` (webapi)"). Keys in `ignoring` are handled by the caller.
    mutating func checkFields(
        _ mapping: YAMLNode, specs: [FieldSpec], context: String, ignoring: Set<String> = [],
        perRecordAllowed: Bool = false
    ) {
        guard let pairs = mapping.pairs else {
            diagnostics.error("\(context) must be a mapping, found \(mapping.kindName)", at: mapping.location)
            return
        }
        checkDuplicateKeys(pairs, context: context)
        let known = Set(specs.map(\.name)).union(ignoring)
        for pair in pairs {
            guard let key = pair.key.scalarText else {
                diagnostics.error("keys in \(context) must be plain names", at: pair.key.location)
                continue
            }
            if ignoring.contains(key) { continue }
            guard let spec = specs.first(where: { $0.name == key }) else {
                diagnostics.error(
                    "unknown field `\(key)` in \(context)", at: pair.key.location,
                    hint: Suggestions.hint(for: key, in: known) ?? "valid fields: " + specs.map(\.name).joined(separator: ", "))
                continue
            }
            check(pair.value, as: spec.type, field: key, context: context, perRecord: spec.perRecord || perRecordAllowed)
        }
        for spec in specs where spec.required && !pairs.contains(where: { $0.key.scalarText == spec.name }) {
            diagnostics.error("missing required field `\(spec.name)` in \(context)", at: mapping.location,
                              hint: "add `\(spec.name):` (\(spec.type.displayName)): \(spec.description)")
        }
    }

    /// Reports every key that appears more than once in a mapping; YAML parsers keep the last silently.
    mutating func checkDuplicateKeys(_ pairs: [YAMLPair], context: String) {
        var first: [String: SourceLocation] = [:]
        for pair in pairs {
            guard let key = pair.key.scalarText else { continue }
            if let earlier = first[key] {
                diagnostics.error("duplicate key `\(key)` in \(context)", at: pair.key.location,
                                  hint: "first defined at line \(earlier.line); remove one of them")
            } else {
                first[key] = pair.key.location
            }
        }
    }

    /// Checks one value. A string containing `${` is compiled as a template and accepted for any
    /// scalar type: its resolved value is checked again when the plan is made.
    mutating func check(_ node: YAMLNode, as type: FieldType, field: String, context: String, perRecord: Bool = false) {
        if case .scalar(let text, _) = node.kind, Template.containsInterpolation(text) {
            if case .expression = type {} else {
                compileTemplate(text, at: node, perRecord: perRecord, field: field, context: context)
                return
            }
        }
        switch type {
        case .any:
            checkNested(node, perRecord: perRecord, field: field, context: context)
        case .string:
            guard case .scalar = node.kind else { return mismatch(node, type, field, context) }
        case .integer:
            guard case .int = node.toJSON() else { return mismatch(node, type, field, context) }
        case .number:
            guard node.toJSON().doubleValue != nil, case .scalar = node.kind else { return mismatch(node, type, field, context) }
        case .boolean:
            guard case .bool = node.toJSON() else {
                let hint = ["yes", "no", "on", "off", "y", "n"].contains(node.scalarText?.lowercased() ?? "")
                    ? "write `true` or `false`: flow reads YAML 1.2, where `\(node.scalarText!)` is a string" : nil
                diagnostics.error("`\(field)` in \(context) must be a boolean, found \(describe(node))", at: node.location, hint: hint)
                return
            }
        case .duration:
            guard case .scalar = node.kind, DurationParser.parse(node.toJSON()) != nil else {
                diagnostics.error("`\(field)` in \(context) must be a duration, found \(describe(node))", at: node.location,
                                  hint: "write a number with a unit: `250ms`, `30s`, `5m`, `1h30m`")
                return
            }
        case .choice(let options):
            guard let text = node.scalarText, options.contains(text) else {
                let found = node.scalarText ?? node.kindName
                diagnostics.error(
                    "`\(field)` in \(context) must be one of \(options.map { "`\($0)`" }.joined(separator: ", ")), found `\(found)`",
                    at: node.location, hint: node.scalarText.flatMap { Suggestions.hint(for: $0, in: options) })
                return
            }
        case .list(let element):
            guard let items = node.items else { return mismatch(node, type, field, context) }
            for item in items { check(item, as: element, field: field, context: context, perRecord: perRecord) }
        case .map(let value):
            guard let pairs = node.pairs else { return mismatch(node, type, field, context) }
            checkDuplicateKeys(pairs, context: "`\(field)` in \(context)")
            for pair in pairs { check(pair.value, as: value, field: "\(field).\(pair.key.scalarText ?? "?")", context: context, perRecord: perRecord) }
        case .object(let specs):
            checkFields(node, specs: specs, context: "`\(field)` in \(context)", perRecordAllowed: perRecord)
        case .oneOf(let types):
            var trial = self
            trial.diagnostics = Diagnostics()
            for candidate in types {
                trial.diagnostics = Diagnostics()
                trial.check(node, as: candidate, field: field, context: context, perRecord: perRecord)
                if !trial.diagnostics.hasErrors {
                    diagnostics.append(contentsOf: trial.diagnostics)
                    return
                }
            }
            // Report against the alternative matching the value's shape, for a precise message.
            let best = types.first { FieldValidator.shapeMatches(node, $0) } ?? types[0]
            if FieldValidator.shapeMatches(node, best) {
                check(node, as: best, field: field, context: context, perRecord: perRecord)
            } else {
                mismatch(node, type, field, context)
            }
        case .expression:
            guard let text = node.scalarText else { return mismatch(node, type, field, context) }
            compileExpression(text, at: node, field: field, context: context)
        case .jsonPath:
            guard case .scalar = node.kind else { return mismatch(node, type, field, context) }
        }
    }

    static func shapeMatches(_ node: YAMLNode, _ type: FieldType) -> Bool {
        switch (node.kind, type) {
        case (.sequence, .list), (.mapping, .map), (.mapping, .object): return true
        case (.scalar, .list), (.scalar, .map), (.scalar, .object): return false
        case (.scalar, _): return true
        default: return false
        }
    }

    /// Compiles templates inside any-typed values (bodies, headers given as mappings...).
    mutating func checkNested(_ node: YAMLNode, perRecord: Bool, field: String, context: String) {
        switch node.kind {
        case .scalar(let text, _):
            if Template.containsInterpolation(text) { compileTemplate(text, at: node, perRecord: perRecord, field: field, context: context) }
        case .mapping(let pairs):
            checkDuplicateKeys(pairs, context: "`\(field)` in \(context)")
            for pair in pairs { checkNested(pair.value, perRecord: perRecord, field: field, context: context) }
        case .sequence(let items):
            for item in items { checkNested(item, perRecord: perRecord, field: field, context: context) }
        }
    }

    mutating func mismatch(_ node: YAMLNode, _ type: FieldType, _ field: String, _ context: String) {
        diagnostics.error("`\(field)` in \(context) must be \(article(type.displayName)), found \(describe(node))", at: node.location)
    }

    func article(_ name: String) -> String {
        if name.contains("|") || name.hasPrefix("list") || name.hasPrefix("map ") { return name }
        return ("aeiou".contains(name.first ?? "x") ? "an " : "a ") + name
    }

    func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .scalar(let text, _):
            let value = node.toJSON()
            return value.typeName == "string" ? "string \"\(text)\"" : "\(value.typeName) `\(text)`"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }

    @discardableResult
    mutating func compileTemplate(_ text: String, at node: YAMLNode, perRecord: Bool, field: String, context: String) -> Template? {
        do {
            let template: Template
            if let cached = templates[text] {
                template = cached
            } else {
                template = try Template(text, language: language)
                templates[text] = template
            }
            for part in template.parts {
                guard case .expression(_, let source, let offset) = part else { continue }
                checkReferences(source, at: node, perRecord: perRecord, field: field, context: context, baseOffset: offset, text: text)
            }
            return template
        } catch {
            report(error, in: text, at: node, what: "`${...}` in `\(field)` of \(context)")
            return nil
        }
    }

    @discardableResult
    mutating func compileExpression(
        _ text: String, at node: YAMLNode, field: String, context: String, variablesOnly: Bool = true
    ) -> (any CompiledExpression)? {
        do {
            let compiled = try language.compile(text)
            checkReferences(text, at: node, perRecord: true, field: field, context: context, variablesOnly: variablesOnly,
                            baseOffset: 0, text: text)
            return compiled
        } catch {
            report(error, in: text, at: node, what: "expression in `\(field)` of \(context)")
            return nil
        }
    }

    mutating func report(_ error: ExpressionError, in text: String, at node: YAMLNode, what: String) {
        diagnostics.error("invalid \(what): \(error.description)",
                          at: FieldValidator.location(of: error.offset ?? 0, in: text, node: node))
    }

    /// The file position of character `offset` of a scalar's text; exact for single-line scalars.
    static func location(of offset: Int, in text: String, node: YAMLNode) -> SourceLocation {
        let prefix = text.prefix(offset)
        if prefix.contains("\n") || node.tag != nil { return node.location }
        if case .scalar(_, .quoted) = node.kind, node.location.line != node.textLocation.line { return node.location }
        return node.textLocation.advanced(by: prefix.unicodeScalars.count)
    }

    /// Reports `params.x` for undeclared `x`, and `record` outside per-record fields.
    mutating func checkReferences(
        _ source: String, at node: YAMLNode, perRecord: Bool, field: String, context: String, variablesOnly: Bool = false,
        baseOffset: Int, text: String
    ) {
        // In record expressions the record is the context, so `params.x` is a field path: only
        // `$params.x` refers to the workflow's parameters there.
        for reference in ExpressionReferences.find(in: source) where reference.isVariable || !variablesOnly {
            let at = FieldValidator.location(of: baseOffset + reference.offset, in: text, node: node)
            switch reference.root {
            case "params":
                if let name = reference.member, !paramNames.contains(name) {
                    diagnostics.error(
                        "undefined parameter `\(name)` in `\(field)` of \(context)", at: at,
                        hint: Suggestions.hint(for: name, in: paramNames) ?? "declare it under `params:` at the top of the workflow")
                }
            case "record" where !perRecord:
                diagnostics.error(
                    "`record` is not available in `\(field)` of \(context)", at: at,
                    hint: "this field is resolved once when the run starts; only per-record fields see `record`")
            default: break
            }
        }
    }
}

/// Finds `root.member` references (`params.x`, `$params.x`, `secrets.X`) in expression text,
/// outside string literals.
public enum ExpressionReferences {
    public struct Reference: Hashable, Sendable {
        public var root: String
        public var member: String?
        /// Character offset of the root name (after any `$`) in the expression text.
        public var offset: Int
        /// Written as a variable: `$params.x`.
        public var isVariable: Bool
    }

    static let roots: Set<String> = ["params", "env", "secrets", "run", "record"]

    public static func find(in source: String) -> [Reference] {
        // Scalars, not Characters: offsets must count like columns do, and it is much faster.
        let chars = Array(source.unicodeScalars)
        var found: [Reference] = []
        var i = 0
        var quote: Unicode.Scalar?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" { i += 2; continue }
                if c == q { quote = nil }
                i += 1
                continue
            }
            if c == "\"" || c == "'" { quote = c; i += 1; continue }
            guard isNameStart(c) else { i += 1; continue }
            let previous: Unicode.Scalar? = i > 0 ? chars[i - 1] : nil
            let start = i
            while i < chars.count, isNamePart(chars[i]) { i += 1 }
            // A root must start a path: not after `.` or a name character; `$` is allowed.
            if let p = previous, p == "." || isNamePart(p) { continue }
            let word = String(String.UnicodeScalarView(chars[start..<i]))
            guard roots.contains(word) else { continue }
            var member: String?
            if i + 1 < chars.count, chars[i] == "." {
                var j = i + 1
                if j < chars.count, chars[j] == "`" {
                    let open = j + 1
                    j = open
                    while j < chars.count, chars[j] != "`" { j += 1 }
                    member = String(String.UnicodeScalarView(chars[open..<min(j, chars.count)]))
                } else {
                    let open = j
                    while j < chars.count, isNamePart(chars[j]) || chars[j] == "-" { j += 1 }
                    if j > open { member = String(String.UnicodeScalarView(chars[open..<j])) }
                }
            }
            found.append(Reference(root: word, member: member, offset: start, isVariable: previous == "$"))
        }
        return found
    }

    @inline(__always)
    static func isNameStart(_ c: Unicode.Scalar) -> Bool {
        c.isASCII ? (c.value | 0x20 >= 0x61 && c.value | 0x20 <= 0x7A) || c == "_" : c.properties.isAlphabetic
    }

    @inline(__always)
    static func isNamePart(_ c: Unicode.Scalar) -> Bool {
        isNameStart(c) || (c.value >= 0x30 && c.value <= 0x39)
    }
}
