/// A JSON object that keeps its members in insertion order.
///
/// Records usually have a few dozen fields at most, so lookups scan the members (short keys
/// compare in a couple of instructions); objects with more than 64 members also keep a hash index
/// so that building and reading them stays linear. Building that index for every 25-field API
/// record cost about 12% of a `json_extract` run, hence the high threshold.
public struct JSONObject: Sendable {
    /// Keys and values side by side: one allocation per object instead of two.
    @usableFromInline var members: [Member]
    @usableFromInline var index: [String: Int]?

    @usableFromInline
    struct Member: Sendable {
        @usableFromInline var key: String
        @usableFromInline var value: JSON
        @inlinable init(_ key: String, _ value: JSON) {
            self.key = key
            self.value = value
        }
    }

    @usableFromInline static let indexThreshold = 64

    public init() {
        members = []
    }

    public init(minimumCapacity: Int) {
        members = []
        members.reserveCapacity(minimumCapacity)
    }

    /// Removes every member, keeping the storage for the next ones.
    public mutating func removeAll() {
        members.removeAll(keepingCapacity: true)
        index = nil
    }

    /// The keys in order, as a view on the members.
    @inlinable public var keys: Keys { Keys(members: members) }
    /// The values in order, as a view on the members.
    @inlinable public var values: Values { Values(members: members) }

    public struct Keys: RandomAccessCollection, Sendable {
        @usableFromInline let members: [Member]
        @inlinable init(members: [Member]) { self.members = members }
        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { members.count }
        @inlinable public subscript(i: Int) -> String { members[i].key }
    }

    public struct Values: RandomAccessCollection, Sendable {
        @usableFromInline let members: [Member]
        @inlinable init(members: [Member]) { self.members = members }
        @inlinable public var startIndex: Int { 0 }
        @inlinable public var endIndex: Int { members.count }
        @inlinable public subscript(i: Int) -> JSON { members[i].value }
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSON) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The position of `key`, or nil.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in members.indices where members[i].key == key { return i }
        return nil
    }

    public subscript(key: String) -> JSON? {
        get {
            guard let i = position(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    members[i].value = newValue
                } else {
                    append(key, newValue)
                }
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Appends a member without checking for an existing key: for builders that know keys are new.
    @inlinable
    public mutating func appendUnchecked(_ key: String, _ value: JSON) {
        append(key, value)
    }

    @usableFromInline
    mutating func append(_ key: String, _ value: JSON) {
        members.append(Member(key, value))
        if index != nil {
            index![key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            buildIndex()
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = position(of: key) else { return nil }
        let old = members.remove(at: i).value
        if index != nil {
            if members.count > Self.indexThreshold {
                buildIndex()
            } else {
                index = nil
            }
        }
        return old
    }

    @usableFromInline
    mutating func buildIndex() {
        var built = [String: Int](minimumCapacity: members.count * 2)
        for i in members.indices where built[members[i].key] == nil { built[members[i].key] = i }
        index = built
    }

    /// Renames a member in place, keeping its position. Returns false when `old` is absent.
    @discardableResult
    public mutating func renameKey(_ old: String, to new: String) -> Bool {
        guard let i = position(of: old) else { return false }
        if old == new { return true }
        if let existing = position(of: new) {
            // The renamed member replaces the one already called `new`.
            members[existing].value = members[i].value
            removeValue(forKey: old)
            return true
        }
        members[i].key = new
        if index != nil {
            index![old] = nil
            index![new] = i
        }
        return true
    }
}

extension JSONObject: Sequence {
    public struct Iterator: IteratorProtocol {
        let object: JSONObject
        var position = 0
        public mutating func next() -> (key: String, value: JSON)? {
            guard position < object.members.count else { return nil }
            defer { position += 1 }
            let member = object.members[position]
            return (member.key, member.value)
        }
    }

    public func makeIterator() -> Iterator { Iterator(object: self) }
    public var underestimatedCount: Int { members.count }
}

extension JSONObject: Equatable {
    /// Members compare by key and value; order does not matter.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for (key, value) in lhs {
            guard let other = rhs[key], other == value else { return false }
        }
        return true
    }
}

extension JSONObject: Hashable {
    public func hash(into hasher: inout Hasher) {
        // Order-independent, to agree with ==.
        var combined = 0
        for (key, value) in self {
            var h = Hasher()
            h.combine(key)
            h.combine(value)
            combined ^= h.finalize()
        }
        hasher.combine(count)
        hasher.combine(combined)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self.init(elements)
    }
}
