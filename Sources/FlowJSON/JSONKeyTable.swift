#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Object keys as written in validated documents (escapes kept), each mapped to a number the caller
/// chooses (a field's or column's position): for nodes that read the same few keys in millions of
/// records, one hash lookup per member instead of comparing the key with every name. A small
/// open-addressing table; it stops learning after `limit` keys (records with ever new keys), and the
/// caller then decides unknown keys the slow way.
public struct JSONKeyTable: Sendable {
    /// A stored key: its first and last eight bytes (the whole of a key up to sixteen bytes, compared
    /// as two words), its length, where the rest of a longer key is in `bytes`, and its value.
    private struct Entry {
        var head: UInt64
        var tail: UInt64
        var length: Int
        var start: Int
        var value: Int
    }

    /// Allocated by the first `insert`: an empty table costs nothing to make.
    private var slots: [Int32] = []
    private var entries: [Entry] = []
    /// The bytes of keys longer than sixteen bytes.
    private var bytes: [UInt8] = []
    /// For each entry, the entry of the key that followed it in the last object where it was
    /// followed by a stored key (-1: none yet), and the entry of the last object's first key: what
    /// the walk expects next.
    private var successor: [Int] = []
    private var firstKey = -1
    public static let limit = 128

    public init() {}

    /// Up to eight bytes from `offset` (fewer when `count` is smaller), as a little-endian word
    /// padded with zeros. Loads a whole word when the text has room for it.
    @inline(__always)
    private static func word(_ text: JSONText, at offset: Int, count: Int) -> UInt64 {
        guard offset + 8 <= text.count else { return wordNearEnd(text, at: offset, count: count) }
        let w = UInt64(littleEndian: UnsafeRawPointer(text.bytes.baseAddress! + offset).loadUnaligned(as: UInt64.self))
        return count >= 8 ? w : w & ((1 &<< UInt64(count * 8)) &- 1)
    }

    /// `word` within eight bytes of the text's end, byte by byte.
    @inline(never)
    private static func wordNearEnd(_ text: JSONText, at offset: Int, count: Int) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<min(count, 8) { w |= UInt64(text[offset + k]) << UInt64(k * 8) }
        return w
    }

    /// The key's first and last words: for a key of at most eight bytes the tail is 0, for one of
    /// nine to sixteen bytes the two words overlap and cover it.
    @inline(__always)
    private static func words(_ text: JSONText, _ key: Range<Int>) -> (head: UInt64, tail: UInt64) {
        let n = key.count
        let head = word(text, at: key.lowerBound, count: n)
        return (head, n > 8 ? word(text, at: key.upperBound - 8, count: 8) : 0)
    }

    @inline(__always)
    private static func slot(_ head: UInt64, _ tail: UInt64, _ length: Int, mask: Int) -> Int {
        let h = (head ^ tail &* 0xC2B2_AE3D_27D4_EB4F ^ UInt64(length)) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 40) & mask
    }

    /// Whether stored entry `entry` is the key at `key`, whose words are `head` and `tail`.
    @inline(__always)
    private func matches(_ entry: Entry, _ head: UInt64, _ tail: UInt64, _ text: JSONText, _ key: Range<Int>) -> Bool {
        let n = key.count
        guard entry.head == head && entry.tail == tail && entry.length == n else { return false }
        return n <= 16 || bytes.withUnsafeBufferPointer { stored in
            memcmp(stored.baseAddress! + entry.start, text.bytes.baseAddress! + key.lowerBound + 8, n - 16) == 0
        }
    }

    /// The index in `entries` of the key whose bytes are at `key`, or nil.
    @inline(__always)
    private func entryIndex(_ text: JSONText, _ key: Range<Int>) -> Int? {
        guard !slots.isEmpty else { return nil }
        let mask = slots.count - 1
        let (head, tail) = Self.words(text, key)
        var slot = Self.slot(head, tail, key.count, mask: mask)
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if matches(entries[index], head, tail, text, key) { return index }
            slot = (slot + 1) & mask
        }
    }

    /// The value stored for the key whose bytes are at `key` (without quotes), or nil.
    @inline(__always)
    public func value(_ text: JSONText, _ key: Range<Int>) -> Int? {
        entryIndex(text, key).map { entries[$0].value }
    }

    /// Stores `value` for the key at `key`, which must not be in the table yet, and returns its
    /// entry; ignored (nil) once the table holds `limit` keys.
    @discardableResult
    public mutating func insert(_ text: JSONText, _ key: Range<Int>, value: Int) -> Int? {
        guard entries.count < Self.limit else { return nil }
        if slots.isEmpty { slots = [Int32](repeating: -1, count: 256) }
        let n = key.count
        let (head, tail) = Self.words(text, key)
        var slot = Self.slot(head, tail, n, mask: slots.count - 1)
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Int32(entries.count)
        // Beyond sixteen bytes the words cover the first and last eight; the middle is kept.
        let start = bytes.count
        if n > 16 { bytes.append(contentsOf: text[key.lowerBound + 8..<key.upperBound - 8]) }
        entries.append(Entry(head: head, tail: tail, length: n, start: start, value: value))
        return entries.count - 1
    }

    /// The index in `names` of the key at `key` (as written, without quotes; escapes are decoded
    /// when comparing), or -1 when it is none of them. Each distinct key is compared with the
    /// names once and remembered, so records of one shape cost one table lookup per member.
    @inline(__always)
    public mutating func position(of key: Range<Int>, in text: JSONText, among names: [[UInt8]]) -> Int {
        positionAndEntry(of: key, in: text, among: names).position
    }

    /// `position(of:in:among:)`, and the key's entry (nil when the table is full).
    @inline(__always)
    private mutating func positionAndEntry(of key: Range<Int>, in text: JSONText, among names: [[UInt8]])
        -> (position: Int, entry: Int?)
    {
        if let known = entryIndex(text, key) { return (entries[known].value, known) }
        var position = -1
        for (k, name) in names.enumerated() where JSONScanner.key(text, key, equals: name) {
            position = k
            break
        }
        return (position, insert(text, key, value: position))
    }

    /// Calls `body` with the key range (without quotes, still escaped), the key's index in `names`
    /// (-1: none of them) and the value range of each member of the object at `range`, as
    /// `JSONScanner.forEachMember` and `position(of:in:among:)` would give them; stops early when
    /// `body` returns false.
    ///
    /// Records of one input mostly list the same keys in the same order, so the table remembers
    /// which key followed which in the objects walked: when a member starts with the bytes of the key
    /// expected there followed by a quote, that is its key (the stored key holds no unescaped quote
    /// and does not end inside an escape), found without scanning or hashing it. A member missing or
    /// added in one record costs one lookup, not one per following member.
    public mutating func forEachMember(_ text: JSONText, object range: Range<Int>, among names: [[UInt8]],
                                       _ body: (_ key: Range<Int>, _ name: Int, _ value: Range<Int>) -> Bool) {
        guard range.count > 2, text[range.lowerBound] == UInt8(ascii: "{") else { return }
        var i = range.lowerBound + 1
        let end = range.upperBound - 1
        let n = text.count
        // The entry of the previous member (-1: there is none, or it is not stored), and the one
        // expected for the next.
        var previous = -1
        var expected = firstKey
        var first = true
        while i < end {
            if expected >= 0 {
                // As long as the members are the expected keys, checked from the table's buffers.
                var stopped = false
                entries.withUnsafeBufferPointer { stored in
                    successor.withUnsafeBufferPointer { next in
                        bytes.withUnsafeBufferPointer { middles in
                            let base = text.bytes.baseAddress!
                            while i < end && expected >= 0 {
                                let entry = stored[expected]
                                let keyStart = i &+ 1
                                let keyEnd = keyStart &+ entry.length
                                guard keyEnd < n, base[keyEnd] == UInt8(ascii: "\""),
                                      Self.word(text, at: keyStart, count: entry.length) == entry.head,
                                      entry.length <= 8 || Self.word(text, at: keyEnd &- 8, count: 8) == entry.tail,
                                      entry.length <= 16
                                        || memcmp(middles.baseAddress! + entry.start, base + keyStart + 8, entry.length - 16) == 0
                                else { return }
                                let valueStart = keyEnd &+ 2
                                let valueEnd = JSONScanner.skipValue(text, from: valueStart)
                                if !body(keyStart..<keyEnd, entry.value, valueStart..<valueEnd) {
                                    stopped = true
                                    return
                                }
                                i = valueEnd &+ 1
                                previous = expected
                                expected = next[expected]
                                first = false
                            }
                        }
                    }
                }
                if stopped || i >= end { return }
            }
            // A member other than the expected one: its key scanned and looked up, and remembered as
            // what follows the previous key.
            let keyStart = i + 1
            let key = keyStart..<JSONScanner.skipString(text, from: i) - 1
            let (name, entry) = positionAndEntry(of: key, in: text, among: names)
            if let entry, entry >= successor.count {
                successor.append(contentsOf: repeatElement(-1, count: entry + 1 - successor.count))
            }
            if previous >= 0 {
                successor[previous] = entry ?? -1
            } else if first {
                firstKey = entry ?? -1
            }
            let valueStart = key.upperBound + 2
            let valueEnd = JSONScanner.skipValue(text, from: valueStart)
            if !body(key, name, valueStart..<valueEnd) { return }
            i = valueEnd + 1
            previous = entry ?? -1
            expected = entry.map { successor[$0] } ?? -1
            first = false
        }
    }
}
