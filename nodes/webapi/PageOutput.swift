import FlowCore
import FlowJSON
import JSONPath

/// Sends pages to the output edge one per batch: a page is a whole document (often megabytes
/// once parsed), so the edge's bound of a few batches bounds memory.
struct PageOutput {
    var writer: RecordWriter
    let output: RecordOutput
    var count = 0

    init(_ output: RecordOutput) {
        self.output = output
        writer = output.writer()
    }

    mutating func emit(_ page: PageBody) async throws {
        if let documents = page.documents {
            try await writer.flush()
            try await output.send(documents)
            return
        }
        try await writer.emit(page.value())
        count += 1
        if count >= 1 {
            try await writer.flush()
            count = 0
        }
    }

    mutating func flush() async throws { try await writer.flush() }
}

/// A page's body: parsed, or validated JSON kept as bytes when every consumer reads documents
/// (`RecordOutput.prefersDocuments`). Pagination reads its values from either.
struct PageBody: Sendable {
    private let parsed: JSON?
    /// One document.
    let documents: JSONDocuments?

    init(_ value: JSON) {
        parsed = value
        documents = nil
    }

    init(_ documents: JSONDocuments) {
        parsed = nil
        self.documents = documents
    }

    /// The body parsed.
    func value() throws -> JSON {
        if let parsed { return parsed }
        return try documents!.value(0)
    }

    /// The first value `query` selects, read from the bytes when the query is plain.
    func first(_ query: JSONPathQuery) throws -> JSON? {
        guard let documents else { return query.selectFirst(parsed!) }
        let found: JSON?? = try documents.withDocument(0) { text in
            guard let ranges = query.selectRanges(in: text, root: 0..<text.count, limit: 1) else { return nil }
            return .some(try ranges.first.map { try JSONScanner.parse(text, $0) })
        }
        if let found { return found }
        return query.selectFirst(try value())
    }

    /// The number of values `query` selects.
    func count(_ query: JSONPathQuery) throws -> Int {
        guard let documents else { return query.select(parsed!).count }
        let counted: Int? = documents.withDocument(0) { text in
            query.selectRanges(in: text, root: 0..<text.count)?.count
        }
        if let counted { return counted }
        return query.select(try value()).count
    }

    /// The number of elements when the body is an array, else nil.
    func arrayCount() throws -> Int? {
        guard let documents else {
            if case .array(let a) = parsed! { return a.count }
            return nil
        }
        return documents.withDocument(0) { text in
            guard text.first == UInt8(ascii: "[") else { return nil }
            var n = 0
            JSONScanner.forEachElement(text, array: 0..<text.count) { _ in n += 1; return true }
            return n
        }
    }
}
