import FlowCore
import FlowJSON
import JSONPath

/// Picks records out of JSON documents with RFC 9535 JSONPath and builds one record per match from
/// per-field queries. Every query is compiled when the node is built, so `flow validate` points at
/// a bad one; the per-record work is `selectFirst` on compiled queries and one output object.
struct JSONExtractNode: Node {
    static let spec = NodeSpec(
        type: "json_extract",
        summary: "Select records in JSON documents with JSONPath (RFC 9535) and extract fields from each.",
        inputs: .required,
        fields: [
            FieldSpec("records", .jsonPath, default: "$",
                      "JSONPath selecting the records in each input document, e.g. `$.products[*]`; each match is one record. `$` (the default) takes the document itself."),
            FieldSpec("fields", .map(.oneOf([.jsonPath, .object(fieldSpecs)])),
                      "Output field name -> JSONPath relative to the record (`$` is the record; the first match is used), or `{path, missing, type}` to override `missing` and set a type for one field. Without `fields` each record is emitted whole."),
            FieldSpec("missing", .choice(Missing.allCases.map(\.rawValue)), default: "null",
                      "What a field whose path matches nothing becomes: `null`, `omit` (leave the field out) or `error` (fail the node, naming the record and field)."),
            FieldSpec("types", .map(.choice(FieldConversion.allCases.map(\.rawValue))),
                      "Field name -> `int`, `double`, `string` or `bool`: convert extracted values (null stays null); a value that cannot be converted fails the node."),
        ],
        example: """
            products:
              type: json_extract
              input: pages
              records: $.products[*]
              fields:
                id: $.id
                title: $.title
                price: { path: $.price, missing: error, type: double }
                width: $.dimensions.width
                first_tag: $.tags[0]
              types: { id: int }
            """)

    /// The keys of a field written as a mapping.
    static let fieldSpecs: [FieldSpec] = [
        FieldSpec("path", .jsonPath, required: true, "JSONPath relative to the record; the first match is used."),
        FieldSpec("missing", .choice(Missing.allCases.map(\.rawValue)), "Overrides the node's `missing` for this field."),
        FieldSpec("type", .choice(FieldConversion.allCases.map(\.rawValue)), "Converts the value, like `types:`."),
    ]

    /// What to do when a field's path selects nothing.
    enum Missing: String, CaseIterable, Sendable {
        case null
        case omit
        case error

        /// From a configured value: YAML reads a plain `missing: null` as null, which means `null` here.
        init?(_ value: JSON?) {
            switch value {
            case .null?: self = .null
            case .string(let s)?: self.init(rawValue: s)
            default: return nil
            }
        }
    }

    /// One output field, compiled.
    struct Field: Sendable {
        var name: String
        var query: JSONPathQuery
        var missing: Missing
        var conversion: FieldConversion?
    }

    let records: JSONPathQuery
    /// How `records` is applied: the document itself, at most one match, or a nodelist.
    let recordsMode: RecordsMode
    /// Nil: emit each record whole.
    let fields: [Field]?

    enum RecordsMode: Sendable {
        case root
        case singular
        case nodelist
    }

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        func compile(_ text: String, _ field: String, _ path: [String]) -> JSONPathQuery? {
            do throws(JSONPathError) {
                return try JSONPathQuery(text)
            } catch {
                let name = ([field] + path).joined(separator: ".")
                diagnostics.append(.error(
                    "node `\(config.nodeID)` (json_extract): invalid JSONPath in `\(name)`: \(error.description)",
                    at: config.location(field, offset: error.offset, path: path),
                    hint: Self.rootHint(text, root: field == "records" ? "the input document" : "the record")))
                return nil
            }
        }

        let recordsText = config.string("records") ?? "$"
        records = compile(recordsText, "records", []) ?? (try! JSONPathQuery("$"))
        if recordsText == "$" {
            recordsMode = .root
        } else {
            recordsMode = records.isSingular ? .singular : .nodelist
        }

        let defaultMissing = Missing(config.value("missing")) ?? .null
        var types: [(name: String, conversion: FieldConversion)] = []
        for (name, value) in config.value("types")?.objectValue ?? [:] {
            if let conversion = value.stringValue.flatMap(FieldConversion.init) { types.append((name, conversion)) }
        }

        if let written = config.value("fields")?.objectValue {
            var compiled: [Field] = []
            compiled.reserveCapacity(written.count)
            for (name, value) in written {
                var text: String?
                var path: [String] = [name]
                var missing = defaultMissing
                var conversion: FieldConversion?
                switch value {
                case .string(let s):
                    text = s
                case .object(let object):
                    text = object["path"]?.stringValue
                    path.append("path")
                    if let m = Missing(object["missing"]) { missing = m }
                    conversion = object["type"]?.stringValue.flatMap(FieldConversion.init)
                default:
                    break
                }
                guard let text else {
                    diagnostics.append(config.error("field `\(name)` needs a JSONPath", field: "fields", name,
                                                    hint: "write `\(name): $.\(name)` or `\(name): { path: $.\(name) }`"))
                    continue
                }
                if let typed = types.first(where: { $0.name == name }) {
                    if conversion != nil {
                        diagnostics.append(config.error(
                            "field `\(name)` has a `type` in `fields` and in `types`", field: "types", name,
                            hint: "keep one of them"))
                    }
                    conversion = typed.conversion
                }
                guard let query = compile(text, "fields", path) else { continue }
                compiled.append(Field(name: name, query: query, missing: missing, conversion: conversion))
            }
            for (name, _) in types where written[name] == nil {
                diagnostics.append(config.error(
                    "`types` names `\(name)`, which is not in `fields`", field: "types", name,
                    hint: Suggestions.hint(for: name, in: written.keys) ?? "fields: " + written.keys.joined(separator: ", ")))
            }
            fields = compiled
        } else {
            fields = nil
            if !types.isEmpty {
                diagnostics.append(config.error(
                    "`types` needs `fields`: without them each record is emitted whole", field: "types",
                    hint: "list the fields to extract under `fields:`"))
            }
        }
        if diagnostics.hasErrors { throw diagnostics }
    }

    /// For a query written without its `$`: what it probably meant.
    static func rootHint(_ text: String, root: String) -> String? {
        guard !text.hasPrefix("$"), !text.isEmpty else { return nil }
        let meant: String
        switch text.first {
        case "@": meant = "$" + text.dropFirst()
        case ".", "[": meant = "$" + text
        default: meant = "$." + text
        }
        return "a JSONPath query starts with `$`, \(root): `\(meant)`"
    }

    func run(_ context: NodeContext) async throws {
        let input = try context.requireInput()
        let batchSize = context.output.batchSize
        var batch: [JSON] = []
        batch.reserveCapacity(batchSize)
        // 0-based, across the whole input stream: the record index and the document it came from.
        var index = 0
        var document = 0
        for try await documents in input {
            for doc in documents {
                switch recordsMode {
                case .root:
                    batch.append(try extract(doc, index: index, document: document, context))
                    index += 1
                case .singular:
                    if let record = records.selectFirst(doc) {
                        batch.append(try extract(record, index: index, document: document, context))
                        index += 1
                    }
                case .nodelist:
                    for record in records.select(doc) {
                        batch.append(try extract(record, index: index, document: document, context))
                        index += 1
                        if batch.count >= batchSize {
                            try await context.output.send(batch)
                            batch.removeAll(keepingCapacity: true)
                        }
                    }
                }
                document += 1
            }
            if batch.count >= batchSize {
                try await context.output.send(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        try await context.output.send(batch)
    }

    /// The output record for one selected record.
    @inline(__always)
    func extract(_ record: JSON, index: Int, document: Int, _ context: NodeContext) throws -> JSON {
        guard let fields else { return record }
        var output = JSONObject(minimumCapacity: fields.count)
        for field in fields {
            guard var value = field.query.selectFirst(record) else {
                switch field.missing {
                case .null: output.appendUnchecked(field.name, .null)
                case .omit: break
                case .error:
                    throw failure("no match for `\(field.query.text)`", field: field, index: index, document: document, context,
                                  hint: "`missing: null` or `missing: omit` on the field accepts records without it")
                }
                continue
            }
            if let conversion = field.conversion {
                do {
                    value = try conversion.apply(value)
                } catch {
                    throw failure(error.message, field: field, index: index, document: document, context)
                }
            }
            output.appendUnchecked(field.name, value)
        }
        return .object(output)
    }

    /// `record 17, field "price": ...`, with where the record came from when `records` is not `$`.
    func failure(_ message: String, field: Field, index: Int, document: Int, _ context: NodeContext, hint: String? = nil) -> NodeError {
        var hints: [String] = []
        if recordsMode != .root { hints.append("record \(index) was selected by `\(records.text)` in input document \(document)") }
        if let hint { hints.append(hint) }
        return NodeError(nodeID: context.nodeID,
                         message: "record \(index), field \(JSON.quote(field.name)): \(message)",
                         hint: hints.isEmpty ? nil : hints.joined(separator: "; "))
    }
}
