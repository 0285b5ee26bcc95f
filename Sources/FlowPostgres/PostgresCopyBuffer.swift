/// Rows encoded for `COPY ... FROM STDIN` (see ``PostgresCopyText``), field by field: one `append` per
/// column, then ``endRow()``. Lets a caller encode rows from values of its own type without building a
/// `[PostgresValue?]` per row, and encode them ahead of the COPY that sends them
/// (``PostgresCopyWriter/write(_:)``), for example while the connection runs another statement.
public struct PostgresCopyBuffer: Sendable {
    /// The encoded rows.
    public internal(set) var bytes: [UInt8] {
        get { storage }
        _modify { yield &storage }
    }
    /// `bytes`, for the inlined appends.
    @usableFromInline var storage: [UInt8] = []
    /// Rows ended so far.
    public private(set) var rowCount = 0
    @usableFromInline var atRowStart = true

    public init(minimumCapacity: Int = 0) {
        storage.reserveCapacity(minimumCapacity)
    }

    public var isEmpty: Bool { bytes.isEmpty }

    /// Forgets the rows, keeping the memory for the next ones.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        rowCount = 0
        atRowStart = true
    }

    @inlinable
    mutating func separate() {
        if atRowStart { atRowStart = false } else { storage.append(UInt8(ascii: "\t")) }
    }

    public mutating func appendNull() {
        separate()
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "N"))
    }

    public mutating func append(_ value: Int64) {
        separate()
        PostgresCopyText.appendDecimal(value, to: &bytes)
    }

    public mutating func append(_ value: Double) {
        separate()
        if value.isFinite {
            // The shortest text that reads back to the same Double; none of its bytes needs escaping.
            bytes.append(contentsOf: value.description.utf8)
        } else {
            bytes.append(contentsOf: PostgresValue.double(value).textRepresentation.utf8)
        }
    }

    public mutating func append(_ value: Bool) {
        separate()
        bytes.append(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
    }

    public mutating func append(_ text: String) {
        separate()
        PostgresCopyText.appendEscaped(text, to: &bytes)
    }

    public mutating func append(_ value: PostgresValue?) {
        switch value {
        case nil: appendNull()
        case .int(let number): append(number)
        case .double(let number): append(number)
        case .bool(let flag): append(flag)
        case .text(let text), .numeric(let text), .json(let text): append(text)
        case let value?: append(value.textRepresentation)
        }
    }

    /// Appends a field whose text `body` writes to the buffer itself, already in COPY's text format
    /// (escaped as ``PostgresCopyText/appendEscaped(_:to:)`` would escape it): for callers that encode
    /// straight from bytes of their own, such as JSON text.
    @inlinable
    public mutating func appendField(_ body: (inout [UInt8]) throws -> Void) rethrows {
        separate()
        try body(&storage)
    }

    /// Appends `text` as one field, with COPY's backslash escapes.
    public mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        separate()
        PostgresCopyText.appendEscaped(text, to: &bytes)
    }

    /// Drops what the row being written holds: `count` is `bytes.count` when the row started. The
    /// next `append` starts the row again.
    public mutating func discardRow(from count: Int) {
        bytes.removeLast(bytes.count - count)
        atRowStart = true
    }

    /// Ends the row; the next `append` starts a new one.
    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowCount += 1
        atRowStart = true
    }
}
