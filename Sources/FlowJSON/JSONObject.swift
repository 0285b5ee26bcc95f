/// A JSON object that keeps its members in insertion order.
///
/// Records usually have a few dozen fields at most, so lookups scan the key array (short keys
/// compare in a couple of instructions); objects with more than 64 members also keep a hash index
/// so that building and reading them stays linear. Building that index for every 25-field API
/// record cost about 12% of a `json_extract` run, hence the high threshold.
public struct JSONObject: Sendable {
    public internal(set) var keys: [String]
    public internal(set) var values: [JSON]
    @usableFromInline var index: [String: Int]?

    @usableFromInline static let indexThreshold = 64

    public init() {
        keys = []
        values = []
    }

    public init(minimumCapacity: Int) {
        keys = []
        values = []
        keys.reserveCapacity(minimumCapacity)
        values.reserveCapacity(minimumCapacity)
    }

    /// Builds an object from pairs; a repeated key keeps its first position and its last value.
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, JSON) {
        self.init()
        for (key, value) in pairs { self[key] = value }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The position of `key`, or nil.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        for i in keys.indices where keys[i] == key { return i }
        return nil
    }

    public subscript(key: String) -> JSON? {
        get {
            guard let i = position(of: key) else { return nil }
            return values[i]
        }
        set {
            if let newValue {
                if let i = position(of: key) {
                    values[i] = newValue
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
        keys.append(key)
        values.append(value)
        if index != nil {
            index![key] = keys.count - 1
        } else if keys.count > Self.indexThreshold {
            var built = [String: Int](minimumCapacity: keys.count * 2)
            for (i, k) in keys.enumerated() where built[k] == nil { built[k] = i }
            index = built
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSON? {
        guard let i = position(of: key) else { return nil }
        keys.remove(at: i)
        let old = values.remove(at: i)
        if index != nil {
            if keys.count > Self.indexThreshold {
                var built = [String: Int](minimumCapacity: keys.count * 2)
                for (j, k) in keys.enumerated() where built[k] == nil { built[k] = j }
                index = built
            } else {
                index = nil
            }
        }
        return old
    }

    /// Renames a member in place, keeping its position. Returns false when `old` is absent.
    @discardableResult
    public mutating func renameKey(_ old: String, to new: String) -> Bool {
        guard let i = position(of: old) else { return false }
        if old == new { return true }
        if let existing = position(of: new) {
            // The renamed member replaces the one already called `new`.
            values[existing] = values[i]
            removeValue(forKey: old)
            return true
        }
        keys[i] = new
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
            guard position < object.keys.count else { return nil }
            defer { position += 1 }
            return (object.keys[position], object.values[position])
        }
    }

    public func makeIterator() -> Iterator { Iterator(object: self) }
    public var underestimatedCount: Int { keys.count }
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
