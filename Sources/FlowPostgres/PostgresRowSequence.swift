import CLibPQ

/// The rows of a running query, fetched from the server only as the consumer asks for them.
///
/// The query runs in libpq's single-row mode: each ``next()`` that finds the local buffer empty runs
/// one job on the connection's queue that reads at most `batchSize` rows from the socket. Until then the
/// server waits on TCP back-pressure, so memory stays bounded by one batch whatever the result size.
///
/// Valid only inside the `query` body that received it; iterate it once.
public final class PostgresRowSequence: AsyncSequence {
    public typealias Element = PostgresRow

    /// The result's columns (known before the first row arrives).
    public private(set) var columns: [PostgresColumn]
    /// The command tag once every row has been read (`SELECT 1000000`).
    public private(set) var commandTag: String?

    private let handle: LibPQConnection
    private let statement: String
    private let batchSize: Int
    private var buffer: [PostgresRow]
    private var bufferIndex = 0
    /// libpq has returned its final result (or an error was thrown).
    private(set) var finished: Bool
    private var endOfScope = false

    init(handle: LibPQConnection, statement: String, batchSize: Int, first: RowBatch) {
        self.handle = handle
        self.statement = statement
        self.batchSize = batchSize
        self.columns = first.columns ?? []
        self.buffer = first.rows
        self.finished = first.finished
        self.commandTag = first.commandTag
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: PostgresRowSequence
        public mutating func next() async throws -> PostgresRow? { try await sequence.nextRow() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }

    private func nextRow() async throws -> PostgresRow? {
        if bufferIndex < buffer.count {
            defer { bufferIndex += 1 }
            return buffer[bufferIndex]
        }
        guard !finished else { return nil }
        guard !endOfScope else {
            throw PostgresError(.queryFailed, "rows used after the query body returned", statement: statement)
        }
        buffer = []
        bufferIndex = 0
        let batch: RowBatch
        do {
            batch = try await fetch()
        } catch {
            finished = true
            throw error
        }
        if let columns = batch.columns, self.columns.isEmpty { self.columns = columns }
        buffer = batch.rows
        finished = batch.finished
        commandTag = batch.commandTag ?? commandTag
        return try await nextRow()
    }

    private func fetch() async throws -> RowBatch {
        let (batchSize, statement, columns) = (batchSize, statement, columns)
        return try await handle.run { [handle] connection in
            try RowBatch.read(
                connection, handle: handle, limit: batchSize, columns: columns.isEmpty ? nil : columns,
                statement: statement)
        }
    }

    /// Ends the query if the body stopped early: cancels it on the server and discards what is left.
    func finish() async throws {
        endOfScope = true
        guard !finished else { return }
        finished = true
        try await handle.run(cancellable: false) { [handle] connection in
            // On the queue: the cancel is blocking, and the queue is where the results are drained.
            handle.requestCancel()
            drainResults(connection)
        }
    }
}
