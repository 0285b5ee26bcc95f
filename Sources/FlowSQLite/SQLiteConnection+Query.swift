import CSQLite
import Dispatch

/// A result column: its name and the type it was declared with (`BOOLEAN`, `INTEGER`...), if any.
public struct SQLiteColumn: Sendable, Hashable {
    public let name: String
    /// The declared type of the table column the value comes from; nil for expressions.
    public let declaredType: String?
}

extension SQLiteStatement {
    /// The result's columns with their declared types.
    public var columns: [SQLiteColumn] {
        (0..<sqlite3_column_count(statement)).map { index in
            SQLiteColumn(
                name: String(cString: sqlite3_column_name(statement, index)),
                declaredType: sqlite3_column_decltype(statement, index).map { String(cString: $0) })
        }
    }
}

/// A prepared statement kept between jobs of a ``SQLiteConnection``.
///
/// Why `@unchecked Sendable` is safe: `statement` is created, stepped and released only inside jobs
/// on the connection's serial queue.
private final class StatementBox: @unchecked Sendable {
    var statement: SQLiteStatement?
    init(_ statement: SQLiteStatement) { self.statement = statement }
}

extension SQLiteConnection {
    /// Opens a connection without blocking the calling thread: `sqlite3_open_v2` runs on a dispatch queue.
    /// Read-only connections fail on a missing file instead of creating it.
    public static func open(path: String, readOnly: Bool = false) async throws -> SQLiteConnection {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try SQLiteConnection(path: path, readOnly: readOnly) })
            }
        }
    }

    /// Runs a query and hands its rows to `body` in batches of at most `batchSize` rows.
    ///
    /// The statement is stepped on the connection's queue, one batch per job, and only after `body`
    /// has returned: a result of any size never sits in memory, and a slow consumer slows the reads.
    public func query(
        _ sql: String, parameters: [SQLiteValue] = [], batchSize: Int,
        _ body: (_ columns: [SQLiteColumn], _ rows: [[SQLiteValue]]) async throws -> Void
    ) async throws {
        precondition(batchSize > 0, "batchSize must be positive")
        let (box, columns) = try await withDatabase { database in
            let statement = try database.prepare(sql)
            try statement.bind(parameters)
            return (StatementBox(statement), statement.columns)
        }
        do {
            while true {
                try Task.checkCancellation()
                let (rows, done) = try await withDatabase { _ in
                    guard let statement = box.statement else { return ([[SQLiteValue]](), true) }
                    var rows: [[SQLiteValue]] = []
                    rows.reserveCapacity(batchSize)
                    while rows.count < batchSize {
                        guard try statement.step() else { return (rows, true) }
                        rows.append(statement.row())
                    }
                    return (rows, false)
                }
                if !rows.isEmpty { try await body(columns, rows) }
                if done { break }
            }
        } catch {
            _ = try? await withDatabase { _ in box.statement = nil }
            throw error
        }
        // Finalized on the queue, like every other use of the statement.
        _ = try await withDatabase { _ in box.statement = nil }
    }
}
