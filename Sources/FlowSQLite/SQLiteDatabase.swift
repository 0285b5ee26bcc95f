import CSQLite
import Dispatch

/// A SQLite error: what failed, SQLite's message and result code.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let operation: String

    public init(code: Int32, message: String, operation: String) {
        self.code = code
        self.message = message
        self.operation = operation
    }

    public var description: String { "\(operation): \(message) (SQLite code \(code))" }

    /// Constraint violations (unique, not null, check, foreign key).
    public var isConstraintViolation: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

/// A value bound to or read from SQLite.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// One SQLite connection. The only module that imports the sqlite3 C library.
///
/// Not thread-safe by itself: callers use it from one thread at a time. `SQLiteConnection`
/// wraps it with a serial queue for async use.
public final class SQLiteDatabase {
    let handle: OpaquePointer

    /// Opens (creating when needed) the database at `path`; `:memory:` for an in-memory database.
    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, message: message, operation: "open `\(path)`")
        }
        handle = db
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
    }

    deinit { sqlite3_close_v2(handle) }

    /// Runs one or more statements without parameters.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: rc, message: message, operation: "execute")
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard rc == SQLITE_OK, let statement else {
            throw SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), operation: "prepare")
        }
        return SQLiteStatement(statement: statement, database: self)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `sql` with parameters and returns every row.
    public func query(_ sql: String, _ parameters: [SQLiteValue] = []) throws -> [[SQLiteValue]] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        var rows: [[SQLiteValue]] = []
        while try statement.step() { rows.append(statement.row()) }
        return rows
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<R>(_ body: () throws -> R) throws -> R {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    func lastError(_ operation: String, _ rc: Int32) -> SQLiteError {
        SQLiteError(code: rc, message: String(cString: sqlite3_errmsg(handle)), operation: operation)
    }
}

/// A prepared statement; reset and rebind it to run it again.
public final class SQLiteStatement {
    let statement: OpaquePointer
    let database: SQLiteDatabase

    init(statement: OpaquePointer, database: SQLiteDatabase) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    public var columnNames: [String] {
        (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
    }

    public func bind(_ values: [SQLiteValue]) throws {
        for (i, value) in values.enumerated() { try bind(value, at: Int32(i + 1)) }
    }

    /// SQLITE_TRANSIENT: SQLite copies the bytes, so Swift's buffers may go away after the call.
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    public func bind(_ value: SQLiteValue, at index: Int32) throws {
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(statement, index)
        case .integer(let i): rc = sqlite3_bind_int64(statement, index, i)
        case .real(let d): rc = sqlite3_bind_double(statement, index, d)
        case .text(let s):
            var s = s
            rc = s.withUTF8 { sqlite3_bind_text(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
        case .blob(let b):
            rc = b.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
        }
        if rc != SQLITE_OK { throw database.lastError("bind parameter \(index)", rc) }
    }

    /// Advances to the next row; false when done.
    public func step() throws -> Bool {
        let rc = sqlite3_step(statement)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.lastError("step", rc)
        }
    }

    public func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
    }

    public func row() -> [SQLiteValue] {
        (0..<sqlite3_column_count(statement)).map(column)
    }

    public func column(_ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let p = sqlite3_column_text(statement, index) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: p, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard let p = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: p, count: count)))
        default: return .null
        }
    }
}

/// A database used from async code: every call runs on the connection's own serial queue,
/// never on Swift's cooperative thread pool (sqlite3_step blocks on disk and on locks).
public final class SQLiteConnection: @unchecked Sendable {
    // @unchecked: `database` is only touched on `queue`, which serialises all access.
    private let database: SQLiteDatabase
    private let queue: DispatchQueue

    public init(path: String, readOnly: Bool = false) throws {
        database = try SQLiteDatabase(path: path, readOnly: readOnly)
        queue = DispatchQueue(label: "flow.sqlite")
    }

    /// Runs `body` with the database on the connection's queue.
    public func withDatabase<R: Sendable>(_ body: @escaping @Sendable (SQLiteDatabase) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.database) })
            }
        }
    }

    /// Runs `body` synchronously on the connection's queue (for short work at process exit).
    public func sync<R>(_ body: (SQLiteDatabase) throws -> R) rethrows -> R {
        try queue.sync { try body(database) }
    }
}
