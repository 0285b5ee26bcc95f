/// Rows encoded for `COPY ... FROM STDIN`, in the text format (see ``PostgresCopyText``) or the binary
/// one (see ``PostgresCopyBinary``), field by field: one `append` per column, then ``endRow()``. Lets a
/// caller encode rows from values of its own type without building a `[PostgresValue?]` per row, and
/// encode them ahead of the COPY that sends them (``PostgresCopyWriter/write(_:)``), for example while
/// the connection runs another statement.
///
/// In the binary format each field is written as its column's type: `append(Int64)` into an integer
/// column (false, writing nothing, when the value is out of its range), `append(Double)` into a float8
/// column, `append(Bool)` into a boolean one, text (`append(String)`, `appendEscaped`, `appendField`)
/// into a text or JSON one; the caller keeps to the columns' types. The COPY's header and trailer are
/// not part of the rows: ``PostgresConnection/copyIn(_:rows:then:)`` and
/// ``PostgresConnection/copyIn(_:binary:_:)`` send them.
public struct PostgresCopyBuffer: Sendable {
    /// The encoded rows (complete rows: read between rows).
    public internal(set) var bytes: [UInt8] {
        get { storage }
        _modify { yield &storage }
    }
    /// `bytes`, for the inlined appends.
    @usableFromInline var storage: [UInt8] = []
    /// Rows ended so far.
    public private(set) var rowCount = 0
    @usableFromInline var atRowStart = true
    /// The binary format's columns, or nil for the text format.
    public let binaryColumns: [PostgresCopyBinary.Column]?
    /// Binary format: the column of the next field.
    @usableFromInline var field = 0
    /// Binary format: fixed-size bytes (field counts, lengths, numbers) gathered here and appended to
    /// `storage` together, before a text field's bytes and at the end of the row. Appending a few
    /// bytes to an array costs as much as appending a hundred.
    @usableFromInline var pending: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var pendingCount = 0

    /// A buffer for the text format, or for the binary one with these columns.
    public init(minimumCapacity: Int = 0, binary columns: [PostgresCopyBinary.Column]? = nil) {
        storage.reserveCapacity(minimumCapacity)
        binaryColumns = columns
    }

    public var isEmpty: Bool { bytes.isEmpty }
    public var isBinary: Bool { binaryColumns != nil }

    /// Forgets the rows, keeping the memory for the next ones.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        atRowStart = true
        field = 0
        pendingCount = 0
    }

    /// Text: the tab before every field but the first. Binary: the field count before the first, and
    /// the column of this field.
    @inlinable
    mutating func separate() {
        if atRowStart {
            atRowStart = false
            if let columns = binaryColumns {
                appendBigEndian(UInt16(columns.count))
                field = 0
            }
        } else if binaryColumns == nil {
            storage.append(UInt8(ascii: "\t"))
        }
    }

    /// The column of the field being appended (binary format), after `separate()`.
    @inlinable
    mutating func nextColumn() -> PostgresCopyBinary.Column {
        let column = binaryColumns![field]
        field += 1
        return column
    }

    @inlinable
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        appendBytes(of: value.bigEndian)
    }

    /// Appends the bytes of `value` (integers already big-endian, laid out without padding) to
    /// `pending`.
    @inlinable
    mutating func appendBytes<T>(of value: T) {
        let size = MemoryLayout<T>.size
        if pendingCount + size > MemoryLayout.size(ofValue: pending) { flushPending() }
        let offset = pendingCount
        withUnsafeMutableBytes(of: &pending) { $0.storeBytes(of: value, toByteOffset: offset, as: T.self) }
        pendingCount += size
    }

    /// Moves `pending` to `storage`.
    @inlinable
    mutating func flushPending() {
        guard pendingCount > 0 else { return }
        let count = pendingCount
        withUnsafeBytes(of: &pending) { raw in
            storage.append(contentsOf: UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: count))
        }
        pendingCount = 0
    }

    /// A field of eight bytes: its length (8) and `value`, big-endian.
    @inlinable
    mutating func appendField8(_ value: UInt64) {
        appendBytes(of: (UInt32(8).bigEndian, UInt32(truncatingIfNeeded: value >> 32).bigEndian,
                         UInt32(truncatingIfNeeded: value).bigEndian))
    }

    public mutating func appendNull() {
        separate()
        if isBinary {
            field += 1
            appendBigEndian(Int32(-1))
            return
        }
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    /// Appends an integer; in the binary format false, writing nothing, when the column's type does
    /// not hold it (the row is then left incomplete: ``discardRow(from:)``).
    @discardableResult
    public mutating func append(_ value: Int64) -> Bool {
        separate()
        guard isBinary else {
            PostgresCopyText.appendDecimal(value, to: &bytes)
            return true
        }
        switch nextColumn() {
        case .int2:
            guard let narrow = Int16(exactly: value) else { return false }
            appendBytes(of: (Int32(2).bigEndian, narrow.bigEndian))
        case .int4:
            guard let narrow = Int32(exactly: value) else { return false }
            appendBytes(of: (Int32(4).bigEndian, narrow.bigEndian))
        case .int8:
            appendField8(UInt64(bitPattern: value))
        case let column:
            preconditionFailure("an integer appended for a \(column.typeName) column")
        }
        return true
    }

    public mutating func append(_ value: Double) {
        separate()
        if isBinary {
            let column = nextColumn()
            precondition(column == .float8, "a double appended for a \(column.typeName) column")
            appendField8(value.bitPattern)
            return
        }
        if value.isFinite {
            // The shortest text that reads back to the same Double; none of its bytes needs escaping.
            bytes.append(contentsOf: value.description.utf8)
        } else {
            bytes.append(contentsOf: PostgresValue.double(value).textRepresentation.utf8)
        }
    }

    public mutating func append(_ value: Bool) {
        separate()
        if isBinary {
            let column = nextColumn()
            precondition(column == .bool, "a boolean appended for a \(column.typeName) column")
            appendBytes(of: (Int32(1).bigEndian, UInt8(value ? 1 : 0)))
            return
        }
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    public mutating func append(_ text: String) {
        if isBinary {
            var text = text
            text.withUTF8 { bytes in appendField { $0.append(contentsOf: bytes) } }
            return
        }
        separate()
        PostgresCopyText.appendEscaped(text, to: &bytes)
    }

    /// Appends a value; in the binary format false when its column's type does not hold it (see
    /// `append(Int64)`).
    @discardableResult
    public mutating func append(_ value: PostgresValue?) -> Bool {
        switch value {
        case nil: appendNull()
        case .int(let number): return append(number)
        case .double(let number): append(number)
        case .bool(let flag): append(flag)
        case .text(let text), .numeric(let text), .json(let text): append(text)
        case let value?: append(value.textRepresentation)
        }
        return true
    }

    /// Appends a field whose text `body` writes to the buffer itself: for callers that encode straight
    /// from bytes of their own, such as JSON text. In the text format `body` writes it escaped as
    /// ``PostgresCopyText/appendEscaped(_:to:)`` would escape it; in the binary format, into a text or
    /// JSON column, as it is (UTF-8).
    @inlinable
    public mutating func appendField(_ body: (inout [UInt8]) throws -> Void) rethrows {
        separate()
        guard isBinary else {
            try body(&storage)
            return
        }
        let column = nextColumn()
        precondition(column == .text || column == .jsonb, "text appended for a \(column.typeName) column")
        if column == .jsonb {
            appendBytes(of: (Int32(0), UInt8(1)))
        } else {
            appendBytes(of: Int32(0))
        }
        flushPending()
        let lengthAt = storage.count - (column == .jsonb ? 5 : 4)
        try body(&storage)
        let length = Int32(storage.count - lengthAt - 4).bigEndian
        storage.withUnsafeMutableBytes { bytes in
            bytes.storeBytes(of: length, toByteOffset: lengthAt, as: Int32.self)
        }
    }

    /// Appends `text` as one field: with COPY's backslash escapes in the text format, as it is in the
    /// binary one.
    public mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        if isBinary {
            appendField { $0.append(contentsOf: text) }
            return
        }
        separate()
        PostgresCopyText.appendEscaped(text, to: &bytes)
    }

    /// Drops what the row being written holds: `count` is `bytes.count` when the row started. The
    /// next `append` starts the row again.
    public mutating func discardRow(from count: Int) {
        bytes.removeLast(bytes.count - count)
        atRowStart = true
        field = 0
        pendingCount = 0
    }

    /// Ends the row; the next `append` starts a new one.
    public mutating func endRow() {
        if let columns = binaryColumns {
            precondition(field == columns.count, "a binary COPY row of \(field) fields for \(columns.count) columns")
            field = 0
            flushPending()
        } else {
            bytes.append(UInt8(ascii: "\n"))
        }
        rowCount += 1
        atRowStart = true
    }
}
