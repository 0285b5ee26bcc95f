import FlowCore
import FlowJSON
import JSONPath

extension JSONExtractNode {
    /// `"name":` for each field, for writing output records as text.
    var fieldKeyTexts: [[UInt8]] {
        (fields ?? []).map { field in
            var text: [UInt8] = []
            JSON.string(field.name).write(to: &text)
            text.append(UInt8(ascii: ":"))
            return text
        }
    }

    /// Writes the output record for the record at `record` of `text` as a document: the whole
    /// record, or `{"field":value,...}` with each value's text as written. Converted values are
    /// parsed, converted and written canonically. The same missing-field rules and errors as
    /// `extract`. `members` is what `findMembers` found in this record.
    func writeRecord(_ text: JSONText, record: Range<Int>, plan: DocumentPlan, members: [Range<Int>?],
                     keyTexts: [[UInt8]], index: Int, document: Int, into out: inout JSONDocuments,
                     _ context: NodeContext) throws {
        guard let fields else {
            out.write(text, record)
            out.endDocument()
            return
        }
        out.write(byte: UInt8(ascii: "{"))
        var first = true
        for (position, field) in fields.enumerated() {
            let range = plan.range(of: position, in: text, record: record, members: members)
            if range == nil {
                switch field.missing {
                case .null: break
                case .omit: continue
                case .error:
                    throw failure("no match for `\(field.query.text)`", field: field, index: index, document: document, context,
                                  hint: "`missing: null` or `missing: omit` on the field accepts records without it")
                }
            }
            if !first { out.write(byte: UInt8(ascii: ",")) }
            first = false
            keyTexts[position].withUnsafeBytes { out.write($0) }
            guard let range else {
                out.write(JSON.null)
                continue
            }
            guard let conversion = field.conversion else {
                out.write(text, range)
                continue
            }
            let value = try JSONScanner.parse(text, range)
            do {
                out.write(try conversion.apply(value))
            } catch {
                throw failure(error.message, field: field, index: index, document: document, context)
            }
        }
        out.write(byte: UInt8(ascii: "}"))
        out.endDocument()
    }
}

extension DocumentPlan {
    /// Where the value of field `position` is in `record`; nil when missing. `members` is what
    /// `findMembers` found in this record.
    func range(of position: Int, in text: JSONText, record: Range<Int>, members: [Range<Int>?]) -> Range<Int>? {
        guard let fields else { return record }
        let steps = fields[position]
        if let name = nameOfField[position] {
            return members[name].flatMap { JSONPathStep.resolve(steps.dropFirst(), text, from: $0) }
        }
        return JSONPathStep.resolve(steps[...], text, from: record)
    }
}
