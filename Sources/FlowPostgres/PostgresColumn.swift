/// A result column: its name and the OID of its type (see ``PostgresTypeOID``).
public struct PostgresColumn: Sendable, Hashable {
    public let name: String
    public let typeOID: UInt32

    public init(name: String, typeOID: UInt32) {
        self.name = name
        self.typeOID = typeOID
    }
}
