import FlowJSON

/// A node's own fields after validation and `${...}` resolution, with where each was written.
public struct NodeConfig: Sendable {
    public let nodeID: String
    public let spec: NodeSpec
    /// Resolved values, defaults filled in. Per-record fields hold their text unresolved.
    let values: [String: JSON]
    let yaml: [String: YAMLNode]
    let nodeLocation: SourceLocation
    let templates: [String: TemplateValue]

    init(nodeID: String, spec: NodeSpec, values: [String: JSON], yaml: [String: YAMLNode],
         nodeLocation: SourceLocation, templates: [String: TemplateValue]) {
        self.nodeID = nodeID
        self.spec = spec
        self.values = values
        self.yaml = yaml
        self.nodeLocation = nodeLocation
        self.templates = templates
    }

    /// True when the field was written in the workflow (not defaulted).
    public func isSet(_ name: String) -> Bool { yaml[name] != nil }

    public func value(_ name: String) -> JSON? {
        if let v = values[name] { return v }
        return spec.field(name)?.defaultValue
    }

    public func string(_ name: String) -> String? { value(name)?.stringValue }
    public func int(_ name: String) -> Int? { value(name)?.intValue }
    public func double(_ name: String) -> Double? { value(name)?.doubleValue }
    public func bool(_ name: String) -> Bool? { value(name)?.boolValue }
    public func duration(_ name: String) -> Duration? { value(name).flatMap(DurationParser.parse) }

    /// A list field that may also be written as a single string.
    public func strings(_ name: String) -> [String]? {
        switch value(name) {
        case .string(let s)?: return [s]
        case .array(let a)?: return a.compactMap(\.stringValue)
        default: return nil
        }
    }

    /// A per-record field: its value with `${...}` left to evaluate for each record.
    public func templateValue(_ name: String) -> TemplateValue? {
        if let t = templates[name] { return t }
        return value(name).map(TemplateValue.literal)
    }

    /// Where a field (or a key inside it: `location("paginate", "total")`) was written; the node's
    /// position when the field was not written.
    public func location(_ name: String, _ path: String...) -> SourceLocation {
        yaml[name]?.descendant(at: path).textLocation ?? nodeLocation
    }

    /// The position of character `offset` inside the text of field `name` (for expression errors).
    public func location(_ name: String, offset: Int, path: [String] = []) -> SourceLocation {
        guard var node = yaml[name] else { return nodeLocation }
        for key in path { if let next = node[key] { node = next } }
        guard let text = node.scalarText else { return node.location }
        return FieldValidator.location(of: offset, in: text, node: node)
    }

    /// A located error about field `name`.
    public func error(_ message: String, field name: String, _ path: String..., hint: String? = nil) -> Diagnostic {
        var node = yaml[name]
        for key in path { node = node?[key] ?? node }
        return .error("node `\(nodeID)` (\(spec.type)): \(message)", at: node?.textLocation ?? nodeLocation, hint: hint)
    }

    /// Compiles an expression field, reporting a compile error at its exact position.
    public func expression(_ name: String, path: [String] = [], language: any ExpressionLanguage) throws -> (any CompiledExpression)? {
        var node = yaml[name]
        for key in path { node = node?[key] }
        guard let node, let text = node.scalarText else { return nil }
        do {
            return try language.compile(text)
        } catch {
            throw Diagnostic.error(
                "node `\(nodeID)` (\(spec.type)): invalid expression in `\(([name] + path).joined(separator: "."))`: \(error)",
                at: FieldValidator.location(of: error.offset ?? 0, in: text, node: node))
        }
    }
}

/// A JSON-shaped value whose strings may hold `${...}` templates to evaluate later (per record).
public indirect enum TemplateValue: Sendable {
    case literal(JSON)
    case template(Template)
    case array([TemplateValue])
    case object([(String, TemplateValue)])

    /// True when some part needs evaluation.
    public var isDynamic: Bool {
        switch self {
        case .literal: return false
        case .template: return true
        case .array(let items): return items.contains { $0.isDynamic }
        case .object(let pairs): return pairs.contains { $0.1.isDynamic }
        }
    }

    public func evaluate(_ scope: JSON, bindings: ExpressionBindings) throws(ExpressionError) -> JSON {
        switch self {
        case .literal(let value): return value
        case .template(let template): return try template.evaluate(scope, bindings: bindings)
        case .array(let items):
            var out: [JSON] = []
            out.reserveCapacity(items.count)
            for item in items { out.append(try item.evaluate(scope, bindings: bindings)) }
            return .array(out)
        case .object(let pairs):
            var out = JSONObject(minimumCapacity: pairs.count)
            for (key, value) in pairs { out[key] = try value.evaluate(scope, bindings: bindings) }
            return .object(out)
        }
    }
}
