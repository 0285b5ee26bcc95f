import FlowJSON

/// A loaded, structurally valid workflow: every value still knows where it came from.
public struct Workflow: Sendable {
    /// The path as the user gave it (used in messages).
    public var file: String
    /// The directory relative paths in the workflow are resolved against.
    public var directory: String
    /// The file's text, for printing source lines in diagnostics.
    public var source: String
    public var name: String
    public var description: String?
    public var params: [ParamSpec]
    public var defaultRetry: RetryPolicy
    public var defaultTimeout: Duration?
    public var concurrency: Int?
    /// Nodes in file order.
    public var nodes: [WorkflowNode]
    public var notify: [NotifyRule]

    public func node(_ id: String) -> WorkflowNode? { nodes.first { $0.id == id } }
}

/// A declared workflow parameter.
public struct ParamSpec: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case string, integer, number, boolean, list, object
    }

    public var name: String
    public var kind: Kind
    public var defaultValue: JSON?
    public var required: Bool
    public var secret: Bool
    public var description: String?
    public var location: SourceLocation

    /// Converts command-line text to this parameter's type.
    public func parse(_ text: String) -> JSON? {
        switch kind {
        case .string: return .string(text)
        case .integer: return Int(text).map(JSON.int)
        case .number: return Double(text).map { Int(exactly: $0) != nil && !text.contains(".") ? .int(Int($0)) : .double($0) }
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes": return .bool(true)
            case "false", "0", "no": return .bool(false)
            default: return nil
            }
        case .list, .object:
            guard let value = try? JSONParser.parse(text) else { return nil }
            if kind == .list, case .array = value { return value }
            if kind == .object, case .object = value { return value }
            return nil
        }
    }

    /// True when `value` has this parameter's type.
    public func accepts(_ value: JSON) -> Bool {
        switch (kind, value) {
        case (.string, .string), (.integer, .int), (.number, .int), (.number, .double), (.boolean, .bool),
             (.list, .array), (.object, .object): return true
        case (.integer, .double(let d)): return d.rounded() == d
        default: return false
        }
    }
}

/// One node of a workflow, with the engine's common settings parsed and the type's own fields
/// validated against its spec.
public struct WorkflowNode: Sendable {
    public enum OnError: String, Sendable {
        case fail
        case `continue`
    }

    public var id: String
    public var type: String
    public var spec: NodeSpec
    public var nodeType: any Node.Type
    public var description: String?
    /// Where the node's id is written.
    public var location: SourceLocation
    public var inputs: [Located<String>]
    public var after: [Located<String>]
    public var when: Located<String>?
    public var retry: RetryPolicy
    public var timeout: Duration?
    public var onError: OnError
    /// The type's own fields, as written.
    public var fields: [String: YAMLNode]
    /// The whole node mapping.
    public var yaml: YAMLNode
}

/// A value and where it was written.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var location: SourceLocation
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

extension Located: Equatable where Value: Equatable {}
extension Located: Hashable where Value: Hashable {}
