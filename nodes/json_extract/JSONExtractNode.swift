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
    /// How records and fields are found in documents kept as bytes (`readsDocuments`).
    let documentPlan: DocumentPlan?

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
        documentPlan = Self.documentPlan(records: records, fields: fields)
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
        // Records wait in the output's writer, not in a local array: a checkpoint that arrives with
        // the next input batch then sends them before it passes on.
        var writer = context.output.writer()
        // 0-based, across the whole input stream: the record index and the document it came from.
        var index = 0
        var document = 0
        let plan = documentPlan
        var found: [Range<Int>?] = []
        var pieces: [(field: Int, value: Range<Int>?)] = []
        var keys = JSONKeyTable()
        // Documents in, documents out when every consumer reads them and the values are copied as
        // they are (no `types`): each record's text is assembled from the extracted values' bytes.
        let emitsDocuments = context.output.prefersDocuments && plan != nil
            && (fields ?? []).allSatisfy { $0.conversion == nil }
        let members = MemberTexts(fields ?? [])
        var reservedBytes = 0
        for try await incoming in input.batches {
            if case .documents(let texts) = incoming, let plan, emitsDocuments {
                var out = JSONDocuments(reservingBytes: reservedBytes, documents: context.output.batchSize)
                for d in 0..<texts.count {
                    try texts.withDocument(d) { text in
                        try forEachRecord(in: text, plan: plan, parsed: { record in
                            out.append(try extract(record, index: index, document: document, context))
                            index += 1
                        }, at: { range in
                            try appendRecord(text, range, plan: plan, members: members, found: &found, pieces: &pieces, keys: &keys,
                                             to: &out, index: index, document: document, context)
                            index += 1
                        })
                    }
                    document += 1
                    if out.count >= context.output.batchSize {
                        reservedBytes = max(reservedBytes, out.bytes.count)
                        try await context.output.send(out)
                        out = JSONDocuments(reservingBytes: reservedBytes, documents: context.output.batchSize)
                    }
                }
                // Nothing derived from this batch may wait in a local buffer past the next `next()`
                // (checkpoints): send the rest now.
                try await context.output.send(out)
                continue
            }
            if case .documents(let texts) = incoming, let plan {
                // Selected on the bytes: only the fields' values are parsed.
                for d in 0..<texts.count {
                    try texts.withDocument(d) { text in
                        try forEachRecord(in: text, plan: plan, parsed: { record in
                            writer.add(try extract(record, index: index, document: document, context))
                            index += 1
                        }, at: { range in
                            plan.findMembers(in: text, record: range, into: &found, keys: &keys)
                            writer.add(try extract(index: index, document: document, context) {
                                try plan.value(of: $0, in: text, record: range, members: found)
                            })
                            index += 1
                        })
                    }
                    document += 1
                    try await writer.sendFull()
                }
                continue
            }
            for doc in try incoming.records() {
                for record in selected(doc) {
                    try await writer.emit(try extract(record, index: index, document: document, context))
                    index += 1
                }
                document += 1
            }
        }
        try await writer.flush()
    }

    /// Appends the output record for the selected record at `range` as a document: the record's
    /// text itself, or an object of the fields' names and the extracted values' text. The same
    /// record as `extract` gives, with values kept as written.
    @inline(__always)
    func appendRecord(_ text: JSONText, _ range: Range<Int>, plan: DocumentPlan, members: MemberTexts,
                      found: inout [Range<Int>?], pieces: inout [(field: Int, value: Range<Int>?)],
                      keys: inout JSONKeyTable, to out: inout JSONDocuments,
                      index: Int, document: Int, _ context: NodeContext) throws {
        guard fields != nil else {
            out.append(trusted: text, range: range)
            return
        }
        plan.findMembers(in: text, record: range, into: &found, keys: &keys)
        // The members written (a missing value is null or left out), then the record in one step.
        pieces.removeAll(keepingCapacity: true)
        var count = 1
        for position in members.missing.indices {
            let value = plan.range(of: position, in: text, record: range, members: found)
            if value == nil {
                switch members.missing[position] {
                case .null: break
                case .omit: continue
                case .error: throw missingFailure(fields![position], index: index, document: document, context)
                }
            }
            pieces.append((position, value))
            count += members.length(position) + (value?.count ?? 4)
        }
        if pieces.isEmpty {
            out.appendPart(MemberTexts.empty)
            out.endDocument()
            return
        }
        let start = out.bytes.count
        let source = text.bytes.baseAddress!
        out.appendPart(count: count) { p in
            var o = 0
            members.bytes.withUnsafeBufferPointer { prefixes in
                for (n, piece) in pieces.enumerated() {
                    let prefixStart = members.starts[piece.field]
                    let length = members.starts[piece.field + 1] - prefixStart
                    p[o] = n == 0 ? UInt8(ascii: "{") : UInt8(ascii: ",")
                    (p + o + 1).update(from: prefixes.baseAddress! + prefixStart + 1, count: length - 1)
                    o += length
                    if let value = piece.value {
                        (p + o).update(from: source + value.lowerBound, count: value.count)
                        o += value.count
                    } else {
                        for byte in MemberTexts.null {
                            p[o] = byte
                            o += 1
                        }
                    }
                }
            }
            p[o] = UInt8(ascii: "}")
        }
        // Containers copied whole keep their recorded ends.
        var offset = start
        for piece in pieces {
            offset += members.length(piece.field)
            if let value = piece.value {
                out.appendExtents(of: text, range: value, copiedTo: offset)
                offset += value.count
            } else {
                offset += 4
            }
        }
        out.endDocument()
    }

    /// What `appendRecord` writes for each field: `,"name":` (`{` instead of the comma for the
    /// record's first member), and what a missing value does.
    struct MemberTexts {
        /// The fields' prefixes one after the other, field `k`'s at `starts[k]..<starts[k + 1]`: one
        /// buffer, so that writing a record does not retain an array per member.
        let bytes: [UInt8]
        let starts: [Int]
        let missing: [Missing]
        static let null: [UInt8] = Array("null".utf8)
        static let empty: [UInt8] = Array("{}".utf8)

        init(_ fields: [Field]) {
            var bytes: [UInt8] = []
            var starts: [Int] = []
            for field in fields {
                starts.append(bytes.count)
                bytes.append(UInt8(ascii: ","))
                JSON.writeString(field.name, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
            }
            starts.append(bytes.count)
            self.bytes = bytes
            self.starts = starts
            missing = fields.map(\.missing)
        }

        /// The length of field `k`'s prefix.
        @inline(__always)
        func length(_ k: Int) -> Int { starts[k + 1] - starts[k] }
    }

    /// Calls `at` with the range of each record `records` selects in a document kept as text, or,
    /// when the selection needs values, `parsed` with each record of the parsed document.
    @inline(__always)
    func forEachRecord(in text: JSONText, plan: DocumentPlan, parsed: (JSON) throws -> Void,
                       at: (Range<Int>) throws -> Void) throws {
        guard let ranges = plan.records(in: text) else {
            for record in selected(try JSONScanner.parse(text, 0..<text.count)) { try parsed(record) }
            return
        }
        for range in ranges { try at(range) }
    }

    /// The records `records` selects in a document.
    func selected(_ document: JSON) -> [JSON] {
        switch recordsMode {
        case .root: return [document]
        case .singular: return records.selectFirst(document).map { [$0] } ?? []
        case .nodelist: return records.select(document)
        }
    }

    /// Documents can be read as bytes when every query is plain (names, indexes, `[*]`).
    var readsDocuments: Bool { documentPlan != nil }

    /// `records` and the fields as plain steps, for selecting on a document's bytes; nil when a
    /// query needs parsed values.
    static func documentPlan(records: JSONPathQuery, fields: [Field]?) -> DocumentPlan? {
        guard records.plainSteps != nil else { return nil }
        var fieldSteps: [[JSONPathStep]] = []
        for field in fields ?? [] {
            guard let steps = field.query.plainSteps, !steps.contains(.wildcard) else { return nil }
            fieldSteps.append(steps)
        }
        return DocumentPlan(records: records, fields: fields == nil ? nil : fieldSteps)
    }

    /// The output record for one selected record.
    @inline(__always)
    func extract(_ record: JSON, index: Int, document: Int, _ context: NodeContext) throws -> JSON {
        guard fields != nil else { return record }
        return try extract(index: index, document: document, context) { fields![$0].query.selectFirst(record) }
    }

    /// The output record from each field's value (`lookup` gets the field's position).
    @inline(__always)
    func extract(index: Int, document: Int, _ context: NodeContext, lookup: (Int) throws -> JSON?) throws -> JSON {
        guard let fields else { return try lookup(-1) ?? .null }
        var output = JSONObject(minimumCapacity: fields.count)
        for (position, field) in fields.enumerated() {
            guard var value = try lookup(position) else {
                switch field.missing {
                case .null: output.appendUnchecked(field.name, .null)
                case .omit: break
                case .error:
                    throw missingFailure(field, index: index, document: document, context)
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

    /// A field with `missing: error` that matched nothing.
    func missingFailure(_ field: Field, index: Int, document: Int, _ context: NodeContext) -> NodeError {
        failure("no match for `\(field.query.text)`", field: field, index: index, document: document, context,
                hint: "`missing: null` or `missing: omit` on the field accepts records without it")
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

/// `json_extract` on documents kept as bytes (`JSONDocuments`): the records are found by
/// skipping over the bytes, each record's members are read in one pass, and only the values of
/// the extracted fields are parsed. Gives the same records as the parsed path.
struct DocumentPlan: Sendable {
    let records: JSONPathQuery
    /// Nil: records are emitted whole.
    let fields: [[JSONPathStep]]?
    /// The distinct first names of the fields, as UTF-8, and for each field its name's position
    /// there (nil when the field's first step is not a name, or the field is `$`).
    let names: [[UInt8]]
    let nameOfField: [Int?]
    /// For a field that is one name (`$.id`): `nameOfField`, else nil.
    let onlyName: [Int?]

    init(records: JSONPathQuery, fields: [[JSONPathStep]]?) {
        self.records = records
        self.fields = fields
        var names: [[UInt8]] = []
        var nameOfField: [Int?] = []
        for steps in fields ?? [] {
            guard case .name(let name)? = steps.first else {
                nameOfField.append(nil)
                continue
            }
            let bytes = Array(name.utf8)
            if let known = names.firstIndex(of: bytes) {
                nameOfField.append(known)
            } else {
                names.append(bytes)
                nameOfField.append(names.count - 1)
            }
        }
        self.names = names
        self.nameOfField = nameOfField
        onlyName = zip(fields ?? [], nameOfField).map { $0.count == 1 ? $1 : nil }
    }

    /// The ranges of the records in a document; nil when it has to be parsed.
    func records(in text: JSONText) -> [Range<Int>]? {
        records.selectRanges(in: text, root: 0..<text.count)
    }

    /// The parsed value of field `position` (-1: the whole record) in `record`; nil when missing.
    /// `members` is what `findMembers` found in this record.
    func value(of position: Int, in text: JSONText, record: Range<Int>,
               members: [Range<Int>?]) throws -> JSON? {
        try range(of: position, in: text, record: record, members: members).map { try JSONScanner.parse(text, $0) }
    }

    /// The text range of field `position` (-1: the whole record) in `record`; nil when missing.
    func range(of position: Int, in text: JSONText, record: Range<Int>, members: [Range<Int>?]) -> Range<Int>? {
        guard position >= 0, let fields else { return record }
        if let name = onlyName[position] { return members[name] }
        let steps = fields[position]
        if let name = nameOfField[position] {
            return members[name].flatMap { JSONPathStep.resolve(steps.dropFirst(), text, from: $0) }
        }
        return JSONPathStep.resolve(steps[...], text, from: record)
    }

    /// The values of the record's members named by the fields' first steps, in one pass over the
    /// record (a repeated key keeps its last value, as in parsed objects). `keys` remembers which
    /// name each key seen so far is: records of one input share a few keys, so a key is looked up
    /// once instead of compared with every name.
    func findMembers(in text: JSONText, record: Range<Int>, into found: inout [Range<Int>?], keys: inout JSONKeyTable) {
        if found.count == names.count {
            for k in found.indices { found[k] = nil }
        } else {
            found = Array(repeating: nil, count: names.count)
        }
        guard !names.isEmpty else { return }
        keys.forEachMember(text, object: record, among: names) { _, k, value in
            if k >= 0 { found[k] = value }
            return true
        }
    }
}
