extension PostgresConnection {
    /// Starts a transaction (`BEGIN`).
    public func begin() async throws { try await execute("BEGIN") }

    /// Commits the current transaction (`COMMIT`). A failed transaction's COMMIT reports a rollback:
    /// this throws ``PostgresError/Code/queryFailed`` then instead of returning as if it had committed.
    public func commit() async throws {
        let result = try await execute("COMMIT")
        if result.commandTag == "ROLLBACK" {
            throw PostgresError(
                .queryFailed, "the transaction had failed and was rolled back instead of committed",
                statement: "COMMIT", connection: maskedDescription)
        }
    }

    /// Rolls back the current transaction (`ROLLBACK`).
    public func rollback() async throws { try await execute("ROLLBACK") }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    public func withTransaction<Result>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await begin()
        let result: Result
        do {
            result = try await body(self)
        } catch {
            // The rollback's own failure (for example a lost connection) would hide the real error.
            try? await rollback()
            throw error
        }
        try await commit()
        return result
    }
}
