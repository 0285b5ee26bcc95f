import FlowJSON

/// Options for turning a workflow into an execution plan.
public struct PlanOptions: Sendable {
    /// `--param NAME=VALUE` overrides, as text.
    public var params: [(name: String, value: String)]
    public var environment: [String: String]
    public var secrets: SecretSource
    public var runID: String
    public var startedAt: String
    /// `--concurrency`, overriding the workflow's `concurrency`.
    public var concurrency: Int?
    /// A run needs every secret; a dry run only warns about missing ones.
    public var requireSecrets: Bool

    public init(params: [(name: String, value: String)] = [], environment: [String: String] = [:],
                secrets: SecretSource? = nil, runID: String = "dry-run", startedAt: String = "",
                concurrency: Int? = nil, requireSecrets: Bool = true) {
        self.params = params
        self.environment = environment
        self.secrets = secrets ?? SecretSource(environment: environment)
        self.runID = runID
        self.startedAt = startedAt
        self.concurrency = concurrency
        self.requireSecrets = requireSecrets
    }
}

/// A workflow ready to run: parameters and `${...}` resolved, node instances built.
public struct ExecutionPlan: Sendable {
    public let workflow: Workflow
    public let graph: WorkflowGraph
    public let stages: [[String]]
    public let pipelines: [[String]]
    /// In file order.
    public let nodes: [PlannedNode]
    public let scope: RunScope
    public let masker: SecretMasker
    /// Pipelines allowed to run at once; nil for no limit.
    public let concurrency: Int?
    public let language: any ExpressionLanguage
    /// Resolved notification rules, ready for the notifier at the end of the run.
    public let notify: [PlannedNotification]

    public func node(_ id: String) -> PlannedNode? { nodes.first { $0.node.id == id } }
}

public struct PlannedNode: Sendable {
    public let node: WorkflowNode
    public let instance: any Node
    public let config: NodeConfig
    public let when: (any CompiledExpression)?
}

/// A notify rule with its non-template fields resolved; templates over the run's outcome
/// (`run.status`, `nodes.x.records_out`) are kept for when the run ends.
public struct PlannedNotification: Sendable {
    public let rule: NotifyRule
    public let fields: TemplateValue
    public let secretFields: Set<String>
}

/// Resolves parameters, secrets and `${...}` templates and builds the node instances.
public struct Planner: Sendable {
    public let language: any ExpressionLanguage

    public init(language: any ExpressionLanguage) {
        self.language = language
    }

    public func plan(_ workflow: Workflow, options: PlanOptions) -> (ExecutionPlan?, Diagnostics) {
        var diagnostics = Diagnostics()
        let templateCache = TemplateCache(language: language)
        let masker = SecretMasker()

        var envObject = JSONObject(minimumCapacity: options.environment.count)
        for key in options.environment.keys.sorted() { envObject.appendUnchecked(key, .string(options.environment[key]!)) }
        let env = JSON.object(envObject)

        // Secrets: only the names the workflow refers to are read.
        var secretNames: [(String, SourceLocation)] = []
        collectSecretReferences(workflow, into: &secretNames)
        var secrets = JSONObject()
        for (name, location) in secretNames where secrets[name] == nil {
            if let value = options.secrets.value(name) {
                masker.add(value)
                secrets[name] = .string(value)
            } else {
                let message = "secret `\(name)` is not set"
                let hint = "export \(name)=... or put `\(name)=...` in the secrets file (--secrets FILE or $FLOW_SECRETS_FILE)"
                if options.requireSecrets {
                    diagnostics.error(message, at: location, hint: hint)
                } else {
                    diagnostics.warning(message + " (the dry run continues with a placeholder)", at: location, hint: hint)
                }
                secrets[name] = .string("<secret \(name)>")
            }
        }

        let run: JSON = ["id": .string(options.runID), "workflow": .string(workflow.name), "started_at": .string(options.startedAt)]
        let baseScope = RunScope(params: [:], env: env, secrets: .object(secrets), run: run)

        // Parameters: defaults, then overrides.
        var params = JSONObject()
        let overrides = Dictionary(options.params.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        for name in overrides.keys.sorted() where !workflow.params.contains(where: { $0.name == name }) {
            diagnostics.error("unknown parameter `\(name)` given with --param", at: nil,
                              hint: Suggestions.hint(for: name, in: workflow.params.map(\.name))
                                ?? (workflow.params.isEmpty ? "the workflow declares no parameters"
                                    : "declared parameters: " + workflow.params.map(\.name).joined(separator: ", ")))
        }
        for param in workflow.params {
            var value: JSON?
            if let text = overrides[param.name] {
                guard let parsed = param.parse(text) else {
                    diagnostics.error("--param \(param.name)=\(param.secret ? "***" : text): expected \(param.kind.rawValue)",
                                      at: param.location)
                    continue
                }
                value = parsed
            } else if let d = param.defaultValue, !d.isNull {
                value = d
                if case .string(let text) = d, Template.containsInterpolation(text) {
                    do {
                        value = try Template(text, language: language).evaluate(baseScope.object, bindings: baseScope.bindings)
                    } catch {
                        diagnostics.error("default of parameter `\(param.name)`: \(error)", at: param.location)
                    }
                }
            }
            guard let value else {
                if param.required {
                    diagnostics.error("parameter `\(param.name)` is required", at: param.location,
                                      hint: "pass --param \(param.name)=VALUE")
                } else {
                    params[param.name] = .null
                }
                continue
            }
            if param.secret, case .string(let s) = value { masker.add(s) }
            params[param.name] = value
        }
        let scope = RunScope(params: .object(params), env: env, secrets: .object(secrets), run: run)
        // Node fields built from bad parameters would only repeat the parameter errors.
        if diagnostics.hasErrors { return (nil, diagnostics) }

        // Nodes.
        var planned: [PlannedNode] = []
        for node in workflow.nodes {
            var values: [String: JSON] = [:]
            var templates: [String: TemplateValue] = [:]
            let context = "node `\(node.id)` (\(node.type))"
            for (name, yaml) in node.fields {
                guard let spec = node.spec.field(name) else { continue }
                if spec.perRecord {
                    if let t = templateValue(yaml, diagnostics: &diagnostics, context: context, field: name) {
                        if t.isDynamic { templates[name] = t }
                    }
                    values[name] = yaml.toJSON()
                    registerNestedSecrets(values[name]!, type: spec.type, in: masker)
                    registerSecretKeys(values[name]!, spec: spec, in: masker)
                    continue
                }
                guard let resolved = resolve(yaml, scope: scope, templates: templateCache, diagnostics: &diagnostics, context: context, field: name)
                else { continue }
                if let problem = FieldType.check(resolved, against: spec.type) {
                    diagnostics.error("`\(name)` in \(context) \(problem) after resolving `${...}`", at: yaml.textLocation)
                    continue
                }
                if spec.secret { registerSecrets(resolved, type: spec.type, in: masker) } else { registerNestedSecrets(resolved, type: spec.type, in: masker) }
                registerSecretKeys(resolved, spec: spec, in: masker)
                values[name] = resolved
            }
            let config = NodeConfig(nodeID: node.id, spec: node.spec, values: values, yaml: node.fields,
                                    nodeLocation: node.location, templates: templates)
            let buildContext = NodeBuildContext(nodeID: node.id, directory: workflow.directory, language: language,
                                                retry: node.retry, timeout: node.timeout, hasInput: !node.inputs.isEmpty)
            let instance: (any Node)?
            do {
                instance = try Self.build(node, config: config, context: buildContext)
            } catch let d as Diagnostic {
                diagnostics.append(d)
                instance = nil
            } catch let d as Diagnostics {
                diagnostics.append(contentsOf: d)
                instance = nil
            } catch {
                diagnostics.error("node `\(node.id)` (\(node.type)): \(masker.mask("\(error)"))", at: node.location)
                instance = nil
            }
            var when: (any CompiledExpression)?
            if let w = node.when { when = try? language.compile(w.value) }
            if let instance { planned.append(PlannedNode(node: node, instance: instance, config: config, when: when)) }
        }

        var notifications: [PlannedNotification] = []
        for rule in workflow.notify {
            guard let value = templateValue(rule.fields, diagnostics: &diagnostics, context: "`\(rule.channel)` notification", field: rule.channel)
            else { continue }
            let specs = NotifyChannels.all.first { $0.name == rule.channel }?.fields ?? []
            let secretFields = Set(specs.filter(\.secret).map(\.name))
            // Literal secret values are hidden like resolved ones.
            for pair in rule.fields.pairs ?? [] where secretFields.contains(pair.key.scalarText ?? "") {
                if let text = pair.value.scalarText, !Template.containsInterpolation(text) { masker.add(text) }
            }
            notifications.append(PlannedNotification(rule: rule, fields: value, secretFields: secretFields))
        }

        let graph = WorkflowGraph(workflow)
        Self.checkCheckpoints(planned, graph: graph, into: &diagnostics)
        guard !diagnostics.hasErrors, let stages = graph.stages() else { return (nil, diagnostics) }
        let limit = options.concurrency ?? workflow.concurrency
        let plan = ExecutionPlan(
            workflow: workflow, graph: graph, stages: stages, pipelines: graph.pipelines(), nodes: planned, scope: scope,
            masker: masker, concurrency: limit, language: language, notify: notifications)
        return (plan, diagnostics)
    }

    static func build(_ node: WorkflowNode, config: NodeConfig, context: NodeBuildContext) throws -> any Node {
        try node.nodeType.init(config: config, context: context)
    }

    /// Registers the strings of a secret field; in a block whose keys declare which of them are
    /// secret (`auth: {type, token}`), only those, so that `bearer` or `header` are not masked everywhere.
    func registerSecrets(_ value: JSON, type: FieldType, in masker: SecretMasker) {
        if case .object(let specs) = type, specs.contains(where: \.secret), case .object(let object) = value {
            for spec in specs where spec.secret {
                if let v = object[spec.name] { registerStrings(v, in: masker) }
            }
        } else {
            registerStrings(value, in: masker)
        }
    }

    func registerStrings(_ value: JSON, in masker: SecretMasker) {
        switch value {
        case .string(let s): masker.add(s)
        case .array(let a): a.forEach { registerStrings($0, in: masker) }
        case .object(let o): o.values.forEach { registerStrings($0, in: masker) }
        default: break
        }
    }

    /// Registers the values under the secret keys of a field with `isSecretKey` (`config: {sasl.password: ...}`).
    func registerSecretKeys(_ value: JSON, spec: FieldSpec, in masker: SecretMasker) {
        guard let isSecretKey = spec.isSecretKey, case .object(let object) = value else { return }
        for (key, item) in object where isSecretKey(key) { registerStrings(item, in: masker) }
    }

    /// Registers the values of secret fields nested in mappings (`slack: {webhook: ...}`), literal or not.
    func registerNestedSecrets(_ value: JSON, type: FieldType, in masker: SecretMasker) {
        switch (type, value) {
        case (.object(let specs), .object(let object)):
            for spec in specs {
                guard let v = object[spec.name] else { continue }
                if spec.secret { registerStrings(v, in: masker) } else { registerNestedSecrets(v, type: spec.type, in: masker) }
            }
        case (.list(let element), .array(let items)): items.forEach { registerNestedSecrets($0, type: element, in: masker) }
        case (.map(let element), .object(let object)): object.values.forEach { registerNestedSecrets($0, type: element, in: masker) }
        case (.oneOf(let types), _): types.forEach { registerNestedSecrets(value, type: $0, in: masker) }
        default: break
        }
    }

    /// A source that runs until interrupted acknowledges its records at checkpoints: every node it
    /// feeds must be able to make what it received durable then.
    static func checkCheckpoints(_ planned: [PlannedNode], graph: WorkflowGraph, into diagnostics: inout Diagnostics) {
        let byID = Dictionary(planned.map { ($0.node.id, $0) }, uniquingKeysWith: { a, _ in a })
        for source in planned where source.instance.sendsCheckpoints {
            let downstream = graph.downstream(of: source.node.id)
            for id in graph.ids where downstream.contains(id) {
                guard let node = byID[id], let reason = node.instance.checkpointLimitation else { continue }
                diagnostics.error(
                    "node `\(id)` (\(node.node.type)) cannot acknowledge the checkpoints of `\(source.node.id)` "
                        + "(\(source.node.type)), which runs until interrupted: \(reason)",
                    at: node.node.location,
                    hint: "offsets would be committed for records this node could still lose; see docs/kafka.md")
            }
        }
    }

    /// Evaluates the templates in a YAML value against the run scope.
    func resolve(_ yaml: YAMLNode, scope: RunScope, templates: TemplateCache, diagnostics: inout Diagnostics, context: String,
                 field: String) -> JSON? {
        switch yaml.kind {
        case .scalar(let text, _):
            guard Template.containsInterpolation(text), yaml.tag == nil else { return yaml.toJSON() }
            do {
                let template = try templates.template(text)
                return try template.evaluate(scope.object, bindings: scope.bindings)
            } catch {
                diagnostics.error("cannot resolve `${...}` in `\(field)` of \(context): \(error.description)",
                                  at: FieldValidator.location(of: error.offset ?? 0, in: text, node: yaml))
                return nil
            }
        case .sequence(let items):
            var out: [JSON] = []
            for item in items {
                guard let v = resolve(item, scope: scope, templates: templates, diagnostics: &diagnostics, context: context, field: field)
                else { return nil }
                out.append(v)
            }
            return .array(out)
        case .mapping(let pairs):
            var out = JSONObject(minimumCapacity: pairs.count)
            for pair in pairs {
                guard let v = resolve(pair.value, scope: scope, templates: templates, diagnostics: &diagnostics, context: context,
                                      field: field)
                else { return nil }
                out[pair.key.scalarText ?? ""] = v
            }
            return .object(out)
        }
    }

    /// Compiles the templates in a YAML value, keeping them for later evaluation.
    func templateValue(_ yaml: YAMLNode, diagnostics: inout Diagnostics, context: String, field: String) -> TemplateValue? {
        switch yaml.kind {
        case .scalar(let text, _):
            guard Template.containsInterpolation(text), yaml.tag == nil else { return .literal(yaml.toJSON()) }
            do {
                return .template(try Template(text, language: language))
            } catch {
                diagnostics.error("invalid `${...}` in `\(field)` of \(context): \(error.description)",
                                  at: FieldValidator.location(of: error.offset ?? 0, in: text, node: yaml))
                return nil
            }
        case .sequence(let items):
            var out: [TemplateValue] = []
            for item in items {
                guard let v = templateValue(item, diagnostics: &diagnostics, context: context, field: field) else { return nil }
                out.append(v)
            }
            return out.contains(where: \.isDynamic) ? .array(out) : .literal(yaml.toJSON())
        case .mapping(let pairs):
            var out: [(String, TemplateValue)] = []
            for pair in pairs {
                guard let v = templateValue(pair.value, diagnostics: &diagnostics, context: context, field: field) else { return nil }
                out.append((pair.key.scalarText ?? "", v))
            }
            return out.contains(where: { $0.1.isDynamic }) ? .object(out) : .literal(yaml.toJSON())
        }
    }

    func collectSecretReferences(_ workflow: Workflow, into names: inout [(String, SourceLocation)]) {
        func scan(_ yaml: YAMLNode) {
            switch yaml.kind {
            case .scalar(let text, _):
                guard Template.containsInterpolation(text) else { return }
                for ref in ExpressionReferences.find(in: text) where ref.root == "secrets" {
                    if let member = ref.member { names.append((member, yaml.textLocation)) }
                }
            case .sequence(let items): items.forEach(scan)
            case .mapping(let pairs): pairs.forEach { scan($0.value) }
            }
        }
        for node in workflow.nodes {
            node.fields.values.forEach(scan)
            if let w = node.when {
                for ref in ExpressionReferences.find(in: w.value) where ref.root == "secrets" {
                    if let member = ref.member { names.append((member, w.location)) }
                }
            }
        }
        for param in workflow.params {
            if case .string(let text)? = param.defaultValue, Template.containsInterpolation(text) {
                for ref in ExpressionReferences.find(in: text) where ref.root == "secrets" {
                    if let member = ref.member { names.append((member, param.location)) }
                }
            }
        }
        workflow.notify.forEach { scan($0.fields) }
    }
}

extension FieldType {
    /// Why `value` does not fit this type (as "must be ..."), or nil when it does.
    static func check(_ value: JSON, against type: FieldType) -> String? {
        switch (type, value) {
        case (.any, _), (.expression, _), (.jsonPath, .string): return nil
        case (.string, .string): return nil
        case (.string, .int), (.string, .double), (.string, .bool): return nil
        case (.integer, .int): return nil
        case (.integer, .double(let d)) where d.rounded() == d: return nil
        case (.number, .int), (.number, .double), (.boolean, .bool): return nil
        case (.duration, _): return DurationParser.parse(value) == nil ? "must be a duration like `30s`" : nil
        case (.choice(let options), .string(let s)):
            return options.contains(s) ? nil : "must be one of " + options.map { "`\($0)`" }.joined(separator: ", ") + ", found `\(s)`"
        // YAML reads a plain `null` as null: it still names the `null` option (`missing: null`).
        case (.choice(let options), .null) where options.contains("null"):
            return nil
        case (.list(let element), .array(let items)):
            for item in items { if let p = check(item, against: element) { return p } }
            return nil
        case (.map(let valueType), .object(let o)):
            for (_, v) in o { if let p = check(v, against: valueType) { return p } }
            return nil
        case (.object, .object): return nil
        case (.oneOf(let types), _):
            return types.contains { check(value, against: $0) == nil } ? nil : "must be \(type.displayName)"
        default:
            return "must be \(type.displayName), found \(value.typeName)"
        }
    }
}

/// Compiled templates by text, for one planning pass: large workflows repeat `${params.x}`.
final class TemplateCache {
    let language: any ExpressionLanguage
    private var byText: [String: Template] = [:]

    init(language: any ExpressionLanguage) { self.language = language }

    func template(_ text: String) throws(ExpressionError) -> Template {
        if let t = byText[text] { return t }
        let t = try Template(text, language: language)
        byText[text] = t
        return t
    }
}
