import CLibPQ

/// Writes rows into a running `COPY ... FROM STDIN` (see ``PostgresConnection/copyIn(_:_:)``).
///
/// Rows are encoded by ``PostgresCopyText`` into a buffer that is sent with `PQputCopyData` on the
/// connection's queue each time it passes ``chunkSize`` bytes. Valid only inside the `copyIn` body.
public final class PostgresCopyWriter {
    /// Bytes buffered before a send. Large chunks keep the per-call overhead small.
    public static let chunkSize = 256 * 1024

    private let handle: LibPQConnection
    private let statement: String
    /// A COPY in the binary format: takes binary ``PostgresCopyBuffer``s only.
    private let binary: Bool
    private var buffer: [UInt8] = []
    /// Rows written so far.
    public private(set) var rowCount = 0
    var isOpen = true

    init(handle: LibPQConnection, statement: String, binary: Bool) {
        self.handle = handle
        self.statement = statement
        self.binary = binary
        buffer.reserveCapacity(Self.chunkSize + 4096)
    }

    /// Encodes one row (nil for NULL); sends the buffer when it is full.
    public func write(_ row: [PostgresValue?]) async throws {
        guard isOpen else {
            throw PostgresError(.copyFailed, "rows written after the copyIn body returned", statement: statement)
        }
        guard !binary else {
            throw PostgresError(.copyFailed, "rows of values are written in the text format, and this COPY is binary", statement: statement)
        }
        PostgresCopyText.appendRow(row, to: &buffer)
        rowCount += 1
        if buffer.count >= Self.chunkSize { try await flush() }
    }

    /// Sends rows encoded beforehand, in chunks of at most ``chunkSize`` bytes.
    public func write(_ rows: PostgresCopyBuffer) async throws {
        guard isOpen else {
            throw PostgresError(.copyFailed, "rows written after the copyIn body returned", statement: statement)
        }
        guard rows.isBinary == binary else {
            throw PostgresError(.copyFailed, "rows encoded in the \(rows.isBinary ? "binary" : "text") format written into a "
                + "\(binary ? "binary" : "text") COPY", statement: statement)
        }
        try await flush()
        var start = 0
        while start < rows.bytes.count {
            let end = min(start + Self.chunkSize, rows.bytes.count)
            try await send(rows.bytes, start..<end)
            start = end
        }
        rowCount += rows.rowCount
    }

    /// Sends whatever is buffered.
    func flush() async throws {
        guard !buffer.isEmpty else { return }
        let chunk = buffer
        buffer = []
        buffer.reserveCapacity(Self.chunkSize + 4096)
        try await send(chunk, chunk.indices)
    }

    private func send(_ bytes: [UInt8], _ range: Range<Int>) async throws {
        let statement = statement
        try await handle.run { [handle] connection in
            try bytes.withUnsafeBufferPointer { all in
                try putCopyData(connection, handle, statement, UnsafeBufferPointer(rebasing: all[range]))
            }
        }
    }
}
