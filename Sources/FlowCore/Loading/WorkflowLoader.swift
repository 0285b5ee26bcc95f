import FlowJSON

#if canImport(Glibc)
import Glibc
#endif

/// Reads a workflow file into a `Workflow`, reporting every structural problem at once:
/// YAML syntax, duplicate keys, unknown keys and node types, wrong types, missing fields,
/// unknown references, cycles, undefined parameters and expressions that do not compile.
public struct WorkflowLoader: Sendable {
    public let registry: NodeRegistry
    public let language: any ExpressionLanguage

    public init(registry: NodeRegistry, language: any ExpressionLanguage) {
        self.registry = registry
        self.language = language
    }

    static let topLevelKeys = ["name", "description", "params", "defaults", "concurrency", "nodes", "notify"]
    static let paramKeys = ["type", "default", "required", "description", "secret"]

    /// Loads `path`; the diagnostics hold warnings even when loading succeeds.
    public func load(file path: String) -> (Workflow?, Diagnostics) {
        guard let text = FileText.read(path) else {
            return (nil, Diagnostics([.error("cannot read workflow file `\(path)`: \(FileText.lastError())", at: nil,
                                             hint: "check the path; workflow files are YAML")]))
        }
        return load(text: text, file: path)
    }

    public func load(text: String, file: String) -> (Workflow?, Diagnostics) {
        var diagnostics = Diagnostics()
        let root: YAMLNode
        switch YAMLReader.read(text, file: file) {
        case .failure(let diagnostic):
            return (nil, Diagnostics([diagnostic]))
        case .success(nil):
            return (nil, Diagnostics([.error("the workflow file is empty", at: SourceLocation(file: file, line: 1, column: 1),
                                             hint: "a workflow needs at least `nodes:`; see docs/workflow-format.md")]))
        case .success(let node?):
            root = node
        }
        guard let pairs = root.pairs else {
            return (nil, Diagnostics([.error("a workflow must be a mapping with `nodes:`, found \(root.kindName)", at: root.location)]))
        }

        // Parameters first: every later check needs their names.
        let params = loadParams(root["params"], diagnostics: &diagnostics)
        var validator = FieldValidator(language: language, paramNames: Set(params.map(\.name)))
        validator.checkDuplicateKeys(pairs, context: "the workflow")
        for pair in pairs {
            guard let key = pair.key.scalarText, !Self.topLevelKeys.contains(key) else { continue }
            diagnostics.error("unknown top-level key `\(key)`", at: pair.key.location,
                              hint: Suggestions.hint(for: key, in: Self.topLevelKeys)
                                ?? "valid keys: " + Self.topLevelKeys.joined(separator: ", "))
        }

        var name = Self.stem(of: file)
        if let node = root["name"] {
            if let text = node.scalarText, !text.isEmpty { name = text } else {
                diagnostics.error("`name` must be a string", at: node.location)
            }
        }
        let description = root["description"]?.scalarText

        var defaultRetry: RetryPolicy?
        var defaultTimeout: Duration?
        if let defaults = root["defaults"] {
            validator.checkFields(defaults, specs: [
                FieldSpec("retry", .object(RetryPolicy.fieldSpecs), "Retry policy for every node."),
                FieldSpec("timeout", .duration, "Timeout for every node."),
            ], context: "`defaults`")
            if let retry = defaults["retry"] { defaultRetry = RetryPolicy.from(retry.toJSON(), over: .none) }
            defaultTimeout = defaults["timeout"].flatMap { DurationParser.parse($0.toJSON()) }
        }

        var concurrency: Int?
        if let node = root["concurrency"] {
            if case .int(let n) = node.toJSON(), n >= 1 { concurrency = n } else {
                diagnostics.error("`concurrency` must be a positive integer, found `\(node.scalarText ?? node.kindName)`",
                                  at: node.location, hint: "it limits how many pipelines run at once")
            }
        }

        var nodes: [WorkflowNode] = []
        if let nodesNode = root["nodes"] {
            if let nodePairs = nodesNode.pairs {
                if nodePairs.isEmpty { diagnostics.error("`nodes` is empty", at: nodesNode.location) }
                validator.checkDuplicateKeys(nodePairs, context: "`nodes`")
                var seen = Set<String>()
                for pair in nodePairs {
                    guard let id = pair.key.scalarText, seen.insert(id).inserted else { continue }
                    if let node = loadNode(id: id, key: pair.key, value: pair.value, defaults: (defaultRetry, defaultTimeout),
                                           validator: &validator) {
                        nodes.append(node)
                    }
                }
            } else {
                diagnostics.error("`nodes` must be a mapping from node id to node, found \(nodesNode.kindName)",
                                  at: nodesNode.location, hint: "write `nodes:` then one indented `id:` per node")
            }
        } else {
            diagnostics.error("the workflow has no `nodes:`", at: root.location, hint: "add `nodes:` with at least one node")
        }

        let notify = loadNotify(root["notify"], validator: &validator)
        diagnostics.append(contentsOf: validator.diagnostics)

        let workflow = Workflow(
            file: file, directory: Paths.directory(of: file), source: text, name: name, description: description,
            params: params, defaultRetry: defaultRetry ?? .none, defaultTimeout: defaultTimeout, concurrency: concurrency,
            nodes: nodes, notify: notify)
        diagnostics.append(contentsOf: checkReferences(workflow, allNodeIDs: Set(root["nodes"]?.pairs?.compactMap { $0.key.scalarText } ?? [])))
        diagnostics.append(contentsOf: WorkflowGraph.checkStructure(workflow))
        return (diagnostics.hasErrors ? nil : workflow, diagnostics)
    }

    static func stem(of path: String) -> String {
        var base = path.split(separator: "/").last.map(String.init) ?? path
        for ext in [".yaml", ".yml"] where base.hasSuffix(ext) { base.removeLast(ext.count) }
        return base
    }

    // MARK: params

    func loadParams(_ node: YAMLNode?, diagnostics: inout Diagnostics) -> [ParamSpec] {
        guard let node else { return [] }
        guard let pairs = node.pairs else {
            diagnostics.error("`params` must be a mapping from parameter name to its declaration", at: node.location)
            return []
        }
        var params: [ParamSpec] = []
        var seen = Set<String>()
        for pair in pairs {
            guard let name = pair.key.scalarText else { continue }
            guard seen.insert(name).inserted else {
                diagnostics.error("duplicate parameter `\(name)`", at: pair.key.location)
                continue
            }
            if !Self.isIdentifier(name) {
                diagnostics.error("parameter name `\(name)` must start with a letter or `_` and contain only letters, digits and `_`",
                                  at: pair.key.location)
            }
            let value = pair.value
            guard let fields = value.pairs else {
                // Shorthand: `name: default-value`, the type inferred from the value.
                let json = value.toJSON()
                params.append(ParamSpec(name: name, kind: Self.kind(of: json), defaultValue: json.isNull ? nil : json,
                                        required: false, secret: false, description: nil, location: pair.key.location))
                continue
            }
            for field in fields {
                guard let key = field.key.scalarText, !Self.paramKeys.contains(key) else { continue }
                diagnostics.error("unknown field `\(key)` in parameter `\(name)`", at: field.key.location,
                                  hint: Suggestions.hint(for: key, in: Self.paramKeys) ?? "valid fields: " + Self.paramKeys.joined(separator: ", "))
            }
            var kind = ParamSpec.Kind.string
            if let typeNode = value["type"] {
                if let text = typeNode.scalarText, let k = ParamSpec.Kind(rawValue: text == "int" ? "integer" : text == "bool" ? "boolean" : text) {
                    kind = k
                } else {
                    let options = ParamSpec.Kind.allCases.map(\.rawValue)
                    diagnostics.error("parameter `\(name)` has unknown type `\(typeNode.scalarText ?? typeNode.kindName)`",
                                      at: typeNode.location,
                                      hint: Suggestions.hint(for: typeNode.scalarText ?? "", in: options) ?? "use one of " + options.joined(separator: ", "))
                }
            } else if let d = value["default"] {
                kind = Self.kind(of: d.toJSON())
            }
            let defaultValue = value["default"].map { $0.toJSON() }
            var spec = ParamSpec(name: name, kind: kind, defaultValue: defaultValue, required: false, secret: false,
                                 description: value["description"]?.scalarText, location: pair.key.location)
            if let d = defaultValue, !d.isNull, !spec.accepts(d) {
                diagnostics.error("default of parameter `\(name)` must be \(kind.rawValue), found \(d.typeName)",
                                  at: value["default"]!.location)
            }
            for flag in ["required", "secret"] {
                guard let flagNode = value[flag] else { continue }
                guard case .bool(let b) = flagNode.toJSON() else {
                    diagnostics.error("`\(flag)` of parameter `\(name)` must be true or false", at: flagNode.location)
                    continue
                }
                if flag == "required" { spec.required = b } else { spec.secret = b }
            }
            params.append(spec)
        }
        return params
    }

    static func kind(of value: JSON) -> ParamSpec.Kind {
        switch value {
        case .int: return .integer
        case .double: return .number
        case .bool: return .boolean
        case .array: return .list
        case .object: return .object
        default: return .string
        }
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    static func isNodeID(_ s: String) -> Bool {
        guard let first = s.first, first.isLetter || first == "_" else { return false }
        return s.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") && $0.isASCII }
    }

    // MARK: nodes

    func loadNode(id: String, key: YAMLNode, value: YAMLNode, defaults: (RetryPolicy?, Duration?),
                  validator: inout FieldValidator) -> WorkflowNode? {
        if !Self.isNodeID(id) {
            validator.diagnostics.error("node id `\(id)` must start with a letter or `_` and contain only ASCII letters, digits, `_` and `-`",
                                        at: key.location, hint: "node ids are used in `input:` and in expressions")
        }
        guard let pairs = value.pairs else {
            validator.diagnostics.error("node `\(id)` must be a mapping with a `type:`, found \(value.kindName)", at: value.location)
            return nil
        }
        guard let typeNode = value["type"] else {
            validator.diagnostics.error("node `\(id)` has no `type`", at: key.location,
                                        hint: "add `type:` with one of: " + registry.names.joined(separator: ", "))
            validator.checkDuplicateKeys(pairs, context: "node `\(id)`")
            return nil
        }
        guard let typeName = typeNode.scalarText, let nodeType = registry.type(named: typeName) else {
            let name = typeNode.scalarText ?? typeNode.kindName
            validator.diagnostics.error("unknown node type `\(name)` for node `\(id)`", at: typeNode.location,
                                        hint: Suggestions.hint(for: name, in: registry.names)
                                          ?? "run `flow nodes` to list node types")
            return nil
        }
        let spec = nodeType.spec
        let context = "node `\(id)` (\(typeName))"
        // Common fields, except `when` whose context is the run scope (checked below).
        var common = CommonNodeFields.specs
        common.removeAll { $0.name == "when" }
        let typeFields = spec.fields.filter { !CommonNodeFields.names.contains($0.name) }
        validator.checkFields(value, specs: common + typeFields, context: context, ignoring: ["when"])

        var when: Located<String>?
        if let whenNode = value["when"] {
            if let text = whenNode.scalarText {
                // `when: ${params.full}` is accepted too: the braces are optional in conditions.
                var source = text
                var node = whenNode
                if source.hasPrefix("${"), source.hasSuffix("}"), Template.closingBrace(Array(source.unicodeScalars), from: 2) == source.unicodeScalars.count - 1 {
                    source = String(source.dropFirst(2).dropLast())
                    node.location = whenNode.textLocation.advanced(by: 2)
                    node.kind = .scalar(source, .plain)
                    node.tag = nil
                }
                if validator.compileExpression(source, at: node, field: "when", context: context, variablesOnly: false) != nil {
                    when = Located(source, at: node.textLocation)
                }
            } else {
                validator.diagnostics.error("`when` in \(context) must be an expression, found \(whenNode.kindName)", at: whenNode.location)
            }
        }

        func references(_ field: String) -> [Located<String>] {
            guard let node = value[field] else { return [] }
            if let text = node.scalarText { return [Located(text, at: node.textLocation)] }
            return node.items?.compactMap { item in item.scalarText.map { Located($0, at: item.textLocation) } } ?? []
        }

        // A node type that retries its own operations brings its own default policy.
        let baseRetry = defaults.0 ?? spec.operationRetry ?? .none
        var retry = baseRetry
        if let r = value["retry"] { retry = RetryPolicy.from(r.toJSON(), over: baseRetry) }
        var fields: [String: YAMLNode] = [:]
        for pair in pairs {
            guard let k = pair.key.scalarText, !CommonNodeFields.names.contains(k) else { continue }
            fields[k] = pair.value
        }
        return WorkflowNode(
            id: id, type: typeName, spec: spec, nodeType: nodeType, description: value["description"]?.scalarText, location: key.location,
            inputs: references("input"), after: references("after"), when: when, retry: retry,
            timeout: value["timeout"].flatMap { DurationParser.parse($0.toJSON()) } ?? defaults.1,
            onError: value["on_error"]?.scalarText.flatMap(WorkflowNode.OnError.init) ?? .fail,
            fields: fields, yaml: value)
    }

    func checkReferences(_ workflow: Workflow, allNodeIDs: Set<String>) -> Diagnostics {
        var diagnostics = Diagnostics()
        let byID = Dictionary(workflow.nodes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for node in workflow.nodes {
            switch node.spec.inputs {
            case .none where !node.inputs.isEmpty:
                diagnostics.error("node `\(node.id)` (\(node.type)) is a source and takes no `input`", at: node.inputs[0].location,
                                  hint: "use `after:` to order it after another node")
            case .required where node.inputs.isEmpty && node.yaml["input"] == nil:
                diagnostics.error("node `\(node.id)` (\(node.type)) needs an `input`", at: node.location,
                                  hint: "add `input: <node id>` naming the node whose records it receives")
            default: break
            }
            for (field, refs) in [("input", node.inputs), ("after", node.after)] {
                var seen = Set<String>()
                for ref in refs {
                    if !seen.insert(ref.value).inserted {
                        diagnostics.error("node `\(node.id)` lists `\(ref.value)` twice in `\(field)`", at: ref.location)
                        continue
                    }
                    if ref.value == node.id {
                        diagnostics.error("node `\(node.id)` cannot depend on itself", at: ref.location)
                        continue
                    }
                    guard allNodeIDs.contains(ref.value) else {
                        diagnostics.error("`\(field)` of node `\(node.id)` refers to unknown node `\(ref.value)`", at: ref.location,
                                          hint: Suggestions.hint(for: ref.value, in: allNodeIDs) ?? "defined nodes: " + allNodeIDs.sorted().joined(separator: ", "))
                        continue
                    }
                    if field == "input", let upstream = byID[ref.value], !upstream.spec.producesRecords {
                        diagnostics.error("node `\(ref.value)` (\(upstream.type)) produces no records, so it cannot be an `input`",
                                          at: ref.location, hint: "use `after: \(ref.value)` to run after it instead")
                    }
                }
            }
        }
        return diagnostics
    }

    // MARK: notify

    func loadNotify(_ node: YAMLNode?, validator: inout FieldValidator) -> [NotifyRule] {
        guard let node else { return [] }
        guard let items = node.items else {
            validator.diagnostics.error("`notify` must be a list of rules", at: node.location,
                                        hint: "write `- on: [failure]` followed by one channel: `slack:`, `email:` or `webhook:`")
            return []
        }
        var rules: [NotifyRule] = []
        let channelNames = NotifyChannels.all.map(\.name)
        for item in items {
            guard let pairs = item.pairs else {
                validator.diagnostics.error("a notify rule must be a mapping with `on:` and a channel", at: item.location)
                continue
            }
            validator.checkDuplicateKeys(pairs, context: "notify rule")
            var events: Set<NotifyRule.Event> = []
            if let on = item["on"] {
                let values: [YAMLNode] = on.items ?? [on]
                for v in values {
                    guard let text = v.scalarText else {
                        validator.diagnostics.error("`on` must list run outcomes", at: v.location)
                        continue
                    }
                    if text == "always" {
                        events.formUnion(NotifyRule.Event.allCases)
                    } else if let e = NotifyRule.Event(rawValue: text) {
                        events.insert(e)
                    } else {
                        let options = NotifyRule.Event.allCases.map(\.rawValue) + ["always"]
                        validator.diagnostics.error("unknown run outcome `\(text)` in `on`", at: v.location,
                                                    hint: Suggestions.hint(for: text, in: options) ?? "use " + options.joined(separator: ", "))
                    }
                }
            } else {
                validator.diagnostics.error("notify rule has no `on:`", at: item.location,
                                            hint: "add `on: [failure]`, `on: [success, failure]` or `on: always`")
            }
            var channel: (String, YAMLNode)?
            for pair in pairs {
                guard let key = pair.key.scalarText, key != "on" else { continue }
                guard let specs = NotifyChannels.all.first(where: { $0.name == key })?.fields else {
                    validator.diagnostics.error("unknown key `\(key)` in notify rule", at: pair.key.location,
                                                hint: Suggestions.hint(for: key, in: channelNames + ["on"]) ?? "channels: " + channelNames.joined(separator: ", "))
                    continue
                }
                if channel != nil {
                    validator.diagnostics.error("a notify rule has exactly one channel; `\(key)` is a second one", at: pair.key.location,
                                                hint: "write a separate `- on: ...` rule for each channel")
                    continue
                }
                validator.checkFields(pair.value, specs: specs, context: "`\(key)` notification")
                channel = (key, pair.value)
            }
            guard let (name, fields) = channel else {
                if item["on"] != nil {
                    validator.diagnostics.error("notify rule has no channel", at: item.location,
                                                hint: "add one of " + channelNames.map { "`\($0):`" }.joined(separator: ", "))
                }
                continue
            }
            rules.append(NotifyRule(events: events, channel: name, fields: fields, location: item.location))
        }
        return rules
    }
}

/// Reads whole text files without Foundation.
public enum FileText {
    public static func read(_ path: String) -> String? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        if ferror(file) != 0 { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func lastError() -> String {
        String(cString: strerror(errno))
    }
}
