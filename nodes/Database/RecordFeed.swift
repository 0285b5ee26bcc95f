import FlowCore
import FlowJSON

/// Turns the node's input records into rows for a load: each record checked against the columns'
/// types and converted, in chunks as the input delivers them. Holds at most one input batch.
///
/// Input documents kept as bytes (`JSONDocuments`) are parsed for `nextChunk`; a writer that encodes
/// rows straight from the bytes takes them with `nextDocuments` instead (see `RecordFeed+Documents`).
final class RecordFeed {
    /// Why a record cannot be written; the node adds its id.
    struct Failure: Error, CustomStringConvertible {
        var message: String
        var hint: String?
        var description: String { message + (hint.map { " (\($0))" } ?? "") }
    }

    enum Extra: String, CaseIterable, Sendable {
        case error
        case ignore
    }

    private var iterator: RecordInput.Batches.AsyncIterator
    /// The rest of the current input batch: parsed records, or documents `pendingDocuments`.
    private var pending: ArraySlice<JSON> = []
    private var pendingDocuments: (texts: JSONDocuments, range: Range<Int>)?
    /// `pendingDocuments` parsed, for `peek`.
    private var peeked: ArraySlice<JSON>?
    /// The 0-based index, in the whole input, of the next record to convert.
    private(set) var nextIndex = 0
    private(set) var finished = false

    private(set) var columns: [TableColumn] = []
    private(set) var kinds: [ColumnKind] = []
    private var positions: [String: Int] = [:]
    /// The field names of the last record converted and their column positions (nil: not a column).
    /// Records of one input mostly share their field order: comparing names beats hashing each one.
    private var layout: (keys: [String], positions: [Int?]) = ([], [])
    /// Every column of the table, to tell "not written" from "not in the table" in messages.
    private var tableColumns: Set<String> = []
    private(set) var extra: Extra = .error
    private var dialect: SQLDialect = .postgres

    /// For `RecordFeed+Documents`: what encoding documents needs, kept between batches (the keys
    /// the table has learned) and lent out for one (`takeEncoder`).
    var encoder = DocumentEncoder(columns: [], kinds: [], rejectsExtra: true)

    init(_ input: RecordInput) {
        iterator = input.batches.makeAsyncIterator()
    }

    /// Waits for input; false at its end.
    func hasInput() async throws -> Bool {
        while pending.isEmpty && pendingDocuments == nil {
            guard let batch = try await iterator.next() else {
                finished = true
                return false
            }
            switch batch {
            case .records(let records): pending = records[...]
            case .documents(let texts): if !texts.isEmpty { pendingDocuments = (texts, 0..<texts.count) }
            }
        }
        return true
    }

    /// The records of the next input batch without consuming them (nil at the end of the input), to
    /// choose columns from. Documents are parsed for it (and still encoded from their bytes).
    func peek() async throws -> ArraySlice<JSON>? {
        guard try await hasInput() else { return nil }
        guard let (texts, range) = pendingDocuments else { return pending }
        if peeked == nil { peeked = try range.map { try texts.value($0) }[...] }
        return peeked
    }

    /// Up to `limit` documents of the current input batch, the record index of the first one, or nil
    /// when the input has ended or the next records are parsed ones (take them with `nextChunk`).
    func nextDocuments(limit: Int) async throws -> (first: Int, texts: JSONDocuments, range: Range<Int>)? {
        guard limit > 0, try await hasInput(), let (texts, range) = pendingDocuments else { return nil }
        let taken = range.lowerBound..<min(range.upperBound, range.lowerBound + limit)
        pendingDocuments = taken.upperBound == range.upperBound ? nil : (texts, taken.upperBound..<range.upperBound)
        peeked = nil
        let first = nextIndex
        nextIndex += taken.count
        return (first, texts, taken)
    }

    /// Sets the columns rows are made of.
    func configure(columns: [TableColumn], tableColumns: [String], extra: Extra, dialect: SQLDialect) {
        self.columns = columns
        kinds = columns.map(\.kind)
        positions = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.tableColumns = Set(tableColumns)
        self.extra = extra
        self.dialect = dialect
        layout = ([], [])
        encoder = DocumentEncoder(columns: columns.map(\.name), kinds: kinds, rejectsExtra: extra == .error)
    }

    /// Up to `limit` converted rows, the record index of the first one, or nil at the end of the input.
    func nextChunk(limit: Int) async throws -> (first: Int, rows: [[SQLCell]])? {
        guard limit > 0, try await hasInput() else { return nil }
        if let (texts, range) = pendingDocuments {
            // A writer that does not read documents: parse them.
            pending = try range.map { try texts.value($0) }[...]
            pendingDocuments = nil
            peeked = nil
        }
        let available = pending
        let taken = available.prefix(limit)
        pending = available.dropFirst(taken.count)
        let first = nextIndex
        var rows: [[SQLCell]] = []
        rows.reserveCapacity(taken.count)
        for record in taken {
            rows.append(try convert(record, index: nextIndex))
            nextIndex += 1
        }
        return (first, rows)
    }

    @inline(__always)
    func convert(_ record: JSON, index: Int) throws(Failure) -> [SQLCell] {
        guard case .object(let object) = record else {
            throw Failure(message: "record \(index) is \(TextFormat.describe(record)), not an object",
                          hint: "jdbc_output writes records whose fields are the table's columns")
        }
        if !object.keys.elementsEqual(layout.keys) {
            layout = (Array(object.keys), object.keys.map { positions[$0] })
        }
        var row = [SQLCell](repeating: .null, count: columns.count)
        for (field, value) in object.values.enumerated() {
            guard let position = layout.positions[field] else {
                if extra == .ignore { continue }
                throw unknownColumn(object.keys[field], index: index)
            }
            guard let cell = kinds[position].convert(value, dialect: dialect) else {
                throw Failure(
                    message: "record \(index), column \(JSON.quote(object.keys[field])): expected "
                        + "\(columns[position].type.lowercased()), found \(TextFormat.describe(value))")
            }
            row[position] = cell
        }
        return row
    }

    /// A value the column's type does not hold (an integer too large for a smallint or integer
    /// column): found before the server, which would say so, when rows are sent in the binary format.
    func outOfRange(_ cell: SQLCell, index: Int, column position: Int, type: String) -> Failure {
        let value: String
        switch cell {
        case .int(let i): value = "number \(i)"
        default: value = "\(cell)"
        }
        return Failure(message: "record \(index), column \(JSON.quote(columns[position].name)): \(value) is out of range for \(type)")
    }

    private func unknownColumn(_ name: String, index: Int) -> Failure {
        if tableColumns.contains(name) {
            return Failure(
                message: "record \(index), field \(JSON.quote(name)): the column is in the table but not among the "
                    + "columns written, which were fixed from the first records",
                hint: "list every column under `columns:`, or set `extra: ignore` to drop such fields")
        }
        let known = columns.map(\.name)
        return Failure(
            message: "record \(index), field \(JSON.quote(name)): the table has no such column",
            hint: (Suggestions.hint(for: name, in: known).map { $0 + "; " } ?? "")
                + "columns: \(known.map { JSON.quote($0) }.joined(separator: ", ")); `extra: ignore` drops unknown fields")
    }
}
