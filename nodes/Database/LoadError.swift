import FlowPostgres

/// A database error during a load, with where in the input it happened when the database says.
enum LoadError: Error {
    /// `firstRecord`: the input index of the first record of the failed COPY.
    case postgres(PostgresError, firstRecord: Int)
    /// `record`: the input index of the record whose row failed.
    case sqlite(any Error, record: Int?)
}
