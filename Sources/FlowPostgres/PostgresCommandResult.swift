import CLibPQ

/// What a statement did: its command tag (`INSERT 0 3`, `UPDATE 2`, `CREATE TABLE`) and row count.
public struct PostgresCommandResult: Sendable, Hashable {
    /// Rows inserted, updated, deleted, copied or selected; 0 for commands without a count.
    public let rowsAffected: Int
    /// The command tag the server sent.
    public let commandTag: String

    public init(rowsAffected: Int, commandTag: String) {
        self.rowsAffected = rowsAffected
        self.commandTag = commandTag
    }

    init(_ result: OpaquePointer) {
        let count = PQcmdTuples(result).map { String(cString: $0) } ?? ""
        self.rowsAffected = Int(count) ?? 0
        self.commandTag = PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }
}
