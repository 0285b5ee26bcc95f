import FlowCore
import FlowJSON

/// How `transform` works on records kept as text (`Node.readsDocuments`).
///
/// When there is no `expression` and every expression names the top-level fields it reads
/// (`CompiledExpression.inputFields`), a record need not be parsed whole. Its members are found
/// by skipping over the text; only the fields the expressions read are parsed, into a small
/// object the expressions are evaluated against; and the output text is the input's, with
/// `set` values written in, renamed keys rewritten and removed members left out. The result is
/// what the parsed path gives, written as the input was (see "Records as text" in
/// docs/workflow-format.md). A record that is not an object, or repeats a key the node uses,
/// takes the parsed path.
struct TransformDocumentPlan: Sendable {
    /// Every key the node uses: read by an expression, set, renamed (either name) or removed.
    let names: [[UInt8]]
    let nameStrings: [String]
    /// `"name":` for each of `names`, for writing a member under that name.
    let keyTexts: [[UInt8]]
    /// Indexes into `names` of the fields the expressions read.
    let reads: [Int]
    /// For each of `names`, whether an expression reads it.
    let isRead: [Bool]
    let assignments: [Int]
    let renames: [(old: Int, new: Int)]
    let removals: [Int]

    init?(filter: TransformNode.Located?, expression: TransformNode.Located?, assignments: [TransformNode.Assignment],
          renames: [(old: String, new: String)], removals: [String]) {
        guard expression == nil else { return nil }
        var read: Set<String> = []
        for located in [filter].compactMap({ $0 }) + assignments.map(\.expression) {
            guard let fields = located.compiled.inputFields else { return nil }
            read.formUnion(fields)
        }
        var names: [String] = []
        var index: [String: Int] = [:]
        func intern(_ name: String) -> Int {
            if let i = index[name] { return i }
            index[name] = names.count
            names.append(name)
            return names.count - 1
        }
        reads = read.sorted().map(intern)
        self.assignments = assignments.map { intern($0.key) }
        self.renames = renames.map { (intern($0.old), intern($0.new)) }
        self.removals = removals.map(intern)
        self.names = names.map { Array($0.utf8) }
        nameStrings = names
        isRead = names.map(read.contains)
        keyTexts = names.map { name in
            var text: [UInt8] = []
            JSON.writeString(name, to: &text)
            text.append(UInt8(ascii: ":"))
            return text
        }
    }
}

extension TransformNode {
    /// One member of the record being rewritten.
    struct Member {
        /// Index into the plan's `names`, or -1 for a key the node does not use.
        var name: Int
        /// The key as written (without quotes); nil when written from `name` (new or renamed).
        var key: Range<Int>?
        /// The value as written, unless `value` replaces it.
        var text: Range<Int>
        /// Index into the scratch's `values` of the value replacing the text, or -1.
        var value = -1
        var removed = false

        /// Kept, under its key as written, with its own value as written right after it.
        var isVerbatim: Bool {
            guard !removed, value < 0, let key else { return false }
            return text.lowerBound == key.upperBound + 2
        }
    }

    /// Scratch space reused from record to record.
    struct DocumentScratch {
        var members: [Member] = []
        /// For each of the plan's names, its member, or -1.
        var positions: [Int] = []
        /// Values computed by `set`.
        var values: [JSON] = []
        /// Keys as written, to the plan's names.
        var keys = JSONKeyTable()
        /// The fields the expressions read, parsed.
        var fields = JSONObject()
    }

    /// Filters and rewrites the documents of one batch into `out`. `index` counts records across
    /// batches, for error messages.
    func process(_ documents: JSONDocuments, plan: TransformDocumentPlan, _ bound: Bound, index: inout Int,
                 scratch: inout DocumentScratch, into out: inout JSONDocuments, _ context: NodeContext) throws {
        try documents.forEachDocument { i, text in
            if try !rewrite(text, plan: plan, bound, index: index, scratch: &scratch, into: &out, context) {
                // Not an object, or a key the node uses appears twice: the parsed path decides.
                var record = try documents.value(i)
                var records: [JSON] = []
                try process(&record, index: index, bound, into: &records, context)
                for record in records { out.append(record) }
            }
            index += 1
            return true
        }
    }

    /// False when the record must take the parsed path.
    func rewrite(_ text: JSONText, plan: TransformDocumentPlan, _ bound: Bound, index: Int,
                 scratch: inout DocumentScratch, into out: inout JSONDocuments, _ context: NodeContext) throws -> Bool {
        guard text.first == UInt8(ascii: "{") else { return false }
        scratch.members.removeAll(keepingCapacity: true)
        scratch.values.removeAll(keepingCapacity: true)
        if scratch.positions.count != plan.names.count {
            scratch.positions = [Int](repeating: -1, count: plan.names.count)
        } else {
            for i in scratch.positions.indices { scratch.positions[i] = -1 }
        }
        var repeated = false
        // The key table is moved out of the scratch space for the walk (the closure uses the scratch).
        var keys = scratch.keys
        scratch.keys = JSONKeyTable()
        defer { scratch.keys = keys }
        keys.forEachMember(text, object: 0..<text.count, among: plan.names) { key, name, value in
            if name >= 0 {
                if scratch.positions[name] >= 0 {
                    repeated = true
                    return false
                }
                scratch.positions[name] = scratch.members.count
            }
            scratch.members.append(Member(name: name, key: key, text: value))
            return true
        }
        if repeated { return false }

        // The fields the expressions read, parsed. Moved out of the scratch space and back, so that
        // its storage serves record after record.
        var fields = scratch.fields
        scratch.fields = JSONObject()
        fields.removeAll()
        defer { scratch.fields = fields }
        for name in plan.reads {
            let position = scratch.positions[name]
            guard position >= 0 else { continue }
            fields.appendUnchecked(plan.nameStrings[name],
                                   try JSONScanner.parse(text, scratch.members[position].text))
        }

        if let filter = bound.filter {
            let kept: JSON?
            do {
                kept = try filter.evaluate(.object(fields))
            } catch {
                throw failure(error, in: self.filter!, index: index, context)
            }
            guard case .bool(true)? = kept else { return true }
        }

        for (n, assignment) in bound.assignments.enumerated() {
            let value: JSON?
            do {
                value = try assignment.expression.evaluate(.object(fields))
            } catch {
                throw failure(error, in: assignments[assignment.index].expression, index: index, context)
            }
            let name = plan.assignments[n]
            if plan.isRead[name] {
                // A later expression reads this field.
                if let value { fields[assignment.key] = value } else { fields.removeValue(forKey: assignment.key) }
            }
            let position = scratch.positions[name]
            if let value {
                scratch.values.append(value)
                if position >= 0 {
                    scratch.members[position].value = scratch.values.count - 1
                } else {
                    scratch.positions[name] = scratch.members.count
                    scratch.members.append(Member(name: name, key: nil, text: 0..<0, value: scratch.values.count - 1))
                }
            } else if position >= 0 {
                scratch.members[position].removed = true
                scratch.positions[name] = -1
            }
        }

        for (old, new) in plan.renames where old != new {
            let from = scratch.positions[old]
            guard from >= 0 else { continue }
            let to = scratch.positions[new]
            if to >= 0 {
                // As `JSONObject.renameKey`: the member already called `new` takes the value.
                scratch.members[to].text = scratch.members[from].text
                scratch.members[to].value = scratch.members[from].value
                scratch.members[from].removed = true
            } else {
                scratch.members[from].name = new
                scratch.members[from].key = nil
                scratch.positions[new] = from
            }
            scratch.positions[old] = -1
        }

        for name in plan.removals {
            let position = scratch.positions[name]
            guard position >= 0 else { continue }
            scratch.members[position].removed = true
            scratch.positions[name] = -1
        }

        out.appendPart(UInt8(ascii: "{"))
        var first = true
        var m = 0
        let count = scratch.members.count
        while m < count {
            let member = scratch.members[m]
            m += 1
            if member.removed { continue }
            if !first { out.appendPart(UInt8(ascii: ",")) }
            first = false
            if let key = member.key, member.isVerbatim {
                // Members kept as written, one after another in the input, are copied as one
                // stretch with the commas between them.
                var end = member.text.upperBound
                while m < count, scratch.members[m].isVerbatim, scratch.members[m].key!.lowerBound == end + 2 {
                    end = scratch.members[m].text.upperBound
                    m += 1
                }
                out.appendPart(trusted: text, range: key.lowerBound - 1..<end)
                continue
            }
            if let key = member.key {
                // "key":
                out.appendPart(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text.bytes)[key.lowerBound - 1..<key.upperBound + 2]))
            } else {
                out.appendPart(plan.keyTexts[member.name])
            }
            if member.value >= 0 {
                out.appendPart(scratch.values[member.value])
            } else {
                out.appendPart(trusted: text, range: member.text)
            }
        }
        out.appendPart(UInt8(ascii: "}"))
        out.endDocument()
        return true
    }
}
