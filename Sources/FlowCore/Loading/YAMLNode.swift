import FlowJSON

/// A YAML node that remembers where it came from. Workflow files are read into this tree first,
/// so that every later error can point at the exact value.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable {
        case scalar(String, ScalarStyle)
        case mapping([YAMLPair])
        case sequence([YAMLNode])
    }

    public enum ScalarStyle: Sendable {
        /// Unquoted: subject to YAML 1.2 core-schema typing (`true`, `3`, `null`...).
        case plain
        /// Quoted or block scalars: always strings.
        case quoted
    }

    public var kind: Kind
    public var location: SourceLocation
    /// An explicit tag such as `!!str`, when the file gives one.
    public var tag: String?

    public init(_ kind: Kind, at location: SourceLocation, tag: String? = nil) {
        self.kind = kind
        self.location = location
        self.tag = tag
    }

    /// The scalar's text, for scalars.
    public var scalarText: String? {
        if case .scalar(let text, _) = kind { return text }
        return nil
    }

    public var pairs: [YAMLPair]? {
        if case .mapping(let pairs) = kind { return pairs }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let items) = kind { return items }
        return nil
    }

    /// The value for `key` in a mapping (the last one when a key is repeated).
    public subscript(key: String) -> YAMLNode? {
        pairs?.last { $0.key.scalarText == key }?.value
    }

    /// The node at `path` below this one (mapping keys, or list indexes as text), stopping at the
    /// deepest node that exists: where an error about that path should point.
    public func descendant(at path: [String]) -> YAMLNode {
        var node = self
        for key in path {
            if let next = node[key] {
                node = next
            } else if let index = Int(key), let items = node.items, items.indices.contains(index) {
                node = items[index]
            } else {
                break
            }
        }
        return node
    }

    /// Where the scalar's text starts: one column after an opening quote.
    public var textLocation: SourceLocation {
        if case .scalar(_, .quoted) = kind, tag == nil { return location.advanced(by: 1) }
        return location
    }

    /// What a user would call this node's kind in an error message.
    public var kindName: String {
        switch kind {
        case .scalar: return toJSON().typeName
        case .mapping: return "mapping"
        case .sequence: return "list"
        }
    }

    /// The node as JSON, typing plain scalars with the YAML 1.2 core schema: `yes`, `no`, `on`
    /// and `off` stay strings (YAML 1.1 would make them booleans).
    public func toJSON() -> JSON {
        switch kind {
        case .scalar(let text, let style):
            if style == .quoted || tag == "tag:yaml.org,2002:str" || tag == "!!str" { return .string(text) }
            return YAMLNode.coreSchemaValue(text)
        case .mapping(let pairs):
            var object = JSONObject(minimumCapacity: pairs.count)
            for pair in pairs { object[pair.key.scalarText ?? pair.key.toJSON().serialized()] = pair.value.toJSON() }
            return .object(object)
        case .sequence(let items):
            return .array(items.map { $0.toJSON() })
        }
    }

    static func coreSchemaValue(_ text: String) -> JSON {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .double(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .double(-.infinity)
        case ".nan", ".NaN", ".NAN": return .double(.nan)
        default: break
        }
        guard let first = text.utf8.first,
              first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9"))
        else { return .string(text) }
        if text.hasPrefix("0x"), let i = Int(text.dropFirst(2), radix: 16) { return .int(i) }
        if text.hasPrefix("0o"), let i = Int(text.dropFirst(2), radix: 8) { return .int(i) }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }), let i = Int(text) {
            return .int(i)
        }
        let isFloatSyntax = text.allSatisfy { $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }
            && text.contains(where: \.isNumber)
        if isFloatSyntax, let d = Double(text) { return .double(d) }
        return .string(text)
    }
}

public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
}
