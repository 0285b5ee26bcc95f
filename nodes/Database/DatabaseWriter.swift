/// What a load writes, decided once the table's columns are known.
struct LoadPlan: Sendable {
    enum Mode: String, CaseIterable, Sendable {
        case insert
        case upsert
        case replace
    }

    var table: TableName
    /// The columns written, in order; every row has one cell per column.
    var columns: [TableColumn]
    var mode: Mode
    /// Conflict columns for `upsert`.
    var key: [String]
}

/// What writing one batch did.
struct WriteCounts: Sendable {
    /// Records taken from the input and sent to the database; zero when the input is exhausted.
    var sent = 0
    /// Rows whose outcome is known: inserted, updated or unchanged. A PostgreSQL upsert counts its rows
    /// here once merged, which is after they were sent.
    var written = 0
    var inserted = 0
    var updated = 0
    /// Upserted rows whose stored values already equalled the record's.
    var unchanged = 0
}

/// A connection that loads records into one table: the part of `jdbc_output` that differs between
/// SQLite and PostgreSQL. Used by one task at a time; every blocking call runs off the cooperative pool
/// inside the database's own client (`SQLiteConnection`, `PostgresConnection`).
protocol DatabaseWriter: AnyObject {
    var dialect: SQLDialect { get }
    /// The table's columns in order, or nil when it does not exist.
    func tableColumns(_ table: TableName) async throws -> [TableColumn]?
    func begin() async throws
    func commit() async throws
    /// Rolls back; a failure is ignored (the transaction ends with the connection anyway).
    func rollback() async
    func createTable(_ table: TableName, columns: [TableColumn], primaryKey: [String]) async throws
    /// Deletes every row of the table inside the current transaction; returns how many.
    func deleteAll(_ table: TableName) async throws -> Int
    /// Sets what the batches write. Called once, inside a transaction; `begin` repeats any per-transaction
    /// setup (a staging table) for later transactions.
    func startLoad(_ plan: LoadPlan) async throws
    /// Writes at most `limit` records taken from `feed`. The counts may include work left over from the
    /// previous call (a PostgreSQL upsert merges a batch during the next call).
    func writeBatch(from feed: RecordFeed, limit: Int) async throws -> WriteCounts
    /// Finishes what `writeBatch` left to do (PostgreSQL: the last batch's COPY and merge) and returns
    /// its counts.
    /// Called before every commit.
    func finishWrites() async throws -> WriteCounts
    /// True when rows taken from the feed wait for the next batch.
    var hasHeldRows: Bool { get }
    func close() async
}
