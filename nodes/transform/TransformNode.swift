import FlowCore
import FlowJSON

/// Filters and reshapes records with expressions in the workflow's expression language (JSONata).
///
/// Every expression is compiled when the node is built, so `flow validate` points at a bad one; at
/// run time each is bound once to `$params`, `$env`, `$secrets` and `$run`, and evaluated with the
/// record as its context. Records that are only filtered are passed on as they are; records that
/// are changed are updated in place (`JSONObject` mutation on a uniquely held copy). Records kept
/// as text are rewritten without being parsed whole when the expressions allow it
/// (`TransformDocumentPlan`).
struct TransformNode: Node {
    static let spec = NodeSpec(
        type: "transform",
        summary: "Filter records and compute, rename or remove fields with JSONata expressions.",
        inputs: .required,
        fields: [
            FieldSpec("filter", .expression,
                      "Keeps a record only when this gives `true` (false, undefined and any other value drop it; use `$boolean(...)` for JSONata truthiness). Evaluated first, on the incoming record."),
            FieldSpec("expression", .expression,
                      "Replaces the whole record with the result: an array emits one record per element, undefined drops the record. Applied after `filter`, before `set`."),
            FieldSpec("set", .map(.expression),
                      "Field -> expression, in order: each sees the record as updated by the entries above it, so later fields can use earlier ones. An undefined result removes the field."),
            FieldSpec("rename", .map(.string),
                      "Old field name -> new name, after `set`; the field keeps its position (a field already called the new name is replaced). Missing fields are ignored."),
            FieldSpec("remove", .oneOf([.string, .list(.string)]),
                      "Fields to drop, last. Missing fields are ignored."),
        ],
        example: """
            priced:
              type: transform
              input: products
              filter: availabilityStatus = "In Stock" and stock > 0
              set:
                final_price: $round(price * (1 - discountPercentage / 100), 2)
                in_stock_value: $round(final_price * stock, 2)
                currency: $params.currency
              rename: { title: name }
              remove: [description, images]
            """)

    /// An expression with the field it came from, for error messages.
    struct Located: Sendable {
        /// `filter`, `expression` or `set.<key>`.
        var label: String
        var field: String
        var path: [String]
        var compiled: any CompiledExpression
    }

    struct Assignment: Sendable {
        var key: String
        var expression: Located
    }

    let filter: Located?
    let expression: Located?
    let assignments: [Assignment]
    let renames: [(old: String, new: String)]
    let removals: [String]
    /// For the file position of a runtime error.
    let config: NodeConfig
    /// Set when records kept as text can be rewritten without parsing them whole.
    let documentPlan: TransformDocumentPlan?

    var readsDocuments: Bool { documentPlan != nil }

    init(config: NodeConfig, context: NodeBuildContext) throws {
        self.config = config
        var diagnostics = Diagnostics()
        func compile(_ field: String, _ path: [String] = []) -> Located? {
            do {
                guard let compiled = try config.expression(field, path: path, language: context.language) else { return nil }
                return Located(label: ([field] + path).joined(separator: "."), field: field, path: path, compiled: compiled)
            } catch let diagnostic as Diagnostic {
                diagnostics.append(diagnostic)
            } catch {
                diagnostics.append(config.error("\(error)", field: field))
            }
            return nil
        }

        filter = compile("filter")
        expression = compile("expression")
        var assignments: [Assignment] = []
        for (key, _) in config.value("set")?.objectValue ?? [:] {
            if let located = compile("set", [key]) { assignments.append(Assignment(key: key, expression: located)) }
        }
        self.assignments = assignments

        var renames: [(old: String, new: String)] = []
        var targets: [String: String] = [:]
        for (old, value) in config.value("rename")?.objectValue ?? [:] {
            guard let new = value.stringValue else { continue }
            if let earlier = targets[new] {
                diagnostics.append(config.error("`\(old)` and `\(earlier)` are both renamed to `\(new)`", field: "rename", old,
                                                hint: "rename only one of them to `\(new)`"))
            }
            targets[new] = old
            renames.append((old, new))
        }
        self.renames = renames
        removals = config.strings("remove") ?? []

        if !["filter", "expression", "set", "rename", "remove"].contains(where: config.isSet) {
            diagnostics.append(config.error(
                "nothing to do", field: "type",
                hint: "add at least one of `filter`, `expression`, `set`, `rename` or `remove`"))
        }
        if diagnostics.hasErrors { throw diagnostics }
        documentPlan = TransformDocumentPlan(
            filter: filter, expression: expression, assignments: assignments, renames: renames, removals: removals)
    }

    /// The expressions bound to the run's variables, ready for many records.
    struct Bound {
        var filter: (any BoundExpression)?
        var expression: (any BoundExpression)?
        var assignments: [(key: String, expression: any BoundExpression, index: Int)]
        /// Only filtering (and `expression`): records are passed on without being taken apart.
        var reshapes: Bool
    }

    func run(_ context: NodeContext) async throws {
        let input = try context.requireInput()
        let bindings = context.scope.bindings
        let bound = Bound(
            filter: filter?.compiled.bound(to: bindings),
            expression: expression?.compiled.bound(to: bindings),
            assignments: assignments.enumerated().map { ($1.key, $1.expression.compiled.bound(to: bindings), $0) },
            reshapes: !assignments.isEmpty || !renames.isEmpty || !removals.isEmpty)
        let batchSize = context.output.batchSize
        var out: [JSON] = []
        out.reserveCapacity(batchSize)
        var documentsOut = JSONDocuments()
        var scratch = DocumentScratch()
        // 0-based across the whole input stream.
        var index = 0
        for try await incoming in input.batches {
            if case .documents(let documents) = incoming, let documentPlan {
                documentsOut = JSONDocuments(reservingBytes: documents.bytes.count + documents.count * 64, documents: documents.count)
                try process(documents, plan: documentPlan, bound, index: &index, scratch: &scratch, into: &documentsOut, context)
                if !documentsOut.isEmpty { try await context.output.send(documentsOut) }
                continue
            }
            var batch = try incoming.records()
            for i in batch.indices {
                // Taken out of the batch so that, when nothing else holds the record, `set`,
                // `rename` and `remove` change it in place instead of copying it.
                var record = JSON.null
                swap(&record, &batch[i])
                try process(&record, index: index, bound, into: &out, context)
                index += 1
                if out.count >= batchSize {
                    try await context.output.send(out)
                    out.removeAll(keepingCapacity: true)
                }
            }
            // One output batch per input batch at most: a slow source's records are not held back.
            if !out.isEmpty {
                try await context.output.send(out)
                out.removeAll(keepingCapacity: true)
            }
        }
    }

    @inline(__always)
    func process(_ record: inout JSON, index: Int, _ bound: Bound, into out: inout [JSON], _ context: NodeContext) throws {
        if let filter = bound.filter {
            let kept: JSON?
            do {
                kept = try filter.evaluate(record)
            } catch {
                throw failure(error, in: self.filter!, index: index, context)
            }
            guard case .bool(true)? = kept else { return }
        }
        guard let expression = bound.expression else {
            try reshape(&record, index: index, item: nil, bound, into: &out, context)
            return
        }
        let result: JSON?
        do {
            result = try expression.evaluate(record)
        } catch {
            throw failure(error, in: self.expression!, index: index, context)
        }
        record = .null
        switch result {
        case nil:
            return
        case .array(var items)?:
            for item in items.indices {
                var element = JSON.null
                swap(&element, &items[item])
                try reshape(&element, index: index, item: item, bound, into: &out, context)
            }
        case var value?:
            try reshape(&value, index: index, item: nil, bound, into: &out, context)
        }
    }

    /// Applies `set`, `rename` and `remove` and appends the record to `out`.
    @inline(__always)
    func reshape(_ record: inout JSON, index: Int, item: Int?, _ bound: Bound, into out: inout [JSON], _ context: NodeContext) throws {
        guard bound.reshapes else {
            out.append(record)
            return
        }
        guard case .object(var object) = record else {
            let which = item.map { "item \($0) of the `expression` result" } ?? "the record"
            throw NodeError(
                nodeID: context.nodeID,
                message: "record \(index): `set`, `rename` and `remove` need an object, but \(which) is \("aeiou".contains(record.typeName.first!) ? "an" : "a") \(record.typeName)",
                hint: expression == nil ? "`expression` can turn the record into an object first" : "make `expression` return objects")
        }
        // Leaves `object` as the only reference to the record's storage.
        record = .null
        for assignment in bound.assignments {
            let value: JSON?
            do {
                value = try assignment.expression.evaluate(.object(object))
            } catch {
                throw failure(error, in: assignments[assignment.index].expression, index: index, item: item, context)
            }
            if let value {
                object[assignment.key] = value
            } else {
                object.removeValue(forKey: assignment.key)
            }
        }
        for (old, new) in renames { object.renameKey(old, to: new) }
        for key in removals { object.removeValue(forKey: key) }
        out.append(.object(object))
    }

    /// `record 17, set.final_price: T2001: ...`, with where the expression is written.
    func failure(_ error: ExpressionError, in located: Located, index: Int, item: Int? = nil, _ context: NodeContext) -> NodeError {
        let at = config.location(located.field, offset: error.offset ?? 0, path: located.path)
        let record = "record \(index)" + (item.map { " (item \($0) of the `expression` result)" } ?? "")
        return NodeError(
            nodeID: context.nodeID,
            message: context.masker.mask("\(record), \(located.label): \(error.description)"),
            hint: "the expression is at \(at)")
    }
}
