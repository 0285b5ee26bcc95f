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
    /// The entries of the last walked object's keys, by member ordinal (nil: not stored).
    private var sequence: [Int?] = []
    /// The start of `sequence` while it holds stored keys, with what checking a key against its
    /// entry needs: for the walk's fast path.
    private var predictions: [Prediction] = []

    /// A stored key expected at some member ordinal: its words, length, where the middle of a key
    /// longer than sixteen bytes is in `bytes`, and its value.
    private struct Prediction {
        var head: UInt64
        var tail: UInt64
        var length: Int
        var start: Int
        var value: Int

        init(_ entry: Entry) {
            head = entry.head
            tail = entry.tail
            length = entry.length
            start = entry.start
            value = entry.value
        }
    }
    private static let sequenceLimit = 256
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

    /// Keeps `predictions` the stored keys that `sequence` starts with, after `sequence[member]` was
    /// set to `entry`.
    private mutating func notePrediction(member: Int, entry: Int?) {
        guard let entry else {
            if member < predictions.count { predictions.removeSubrange(member...) }
            return
        }
        if member < predictions.count {
            predictions[member] = Prediction(entries[entry])
            return
        }
        guard member == predictions.count else { return }
        predictions.append(Prediction(entries[entry]))
        // The members after it were predicted already: they join again.
        var next = member + 1
        while next < sequence.count, let following = sequence[next] {
            predictions.append(Prediction(entries[following]))
            next += 1
        }
    }

    /// Calls `body` with the key range (without quotes, still escaped), the key's index in `names`
    /// (-1: none of them) and the value range of each member of the object at `range`, as
    /// `JSONScanner.forEachMember` and `position(of:in:among:)` would give them; stops early when
    /// `body` returns false.
    ///
    /// Records of one input mostly list the same keys in the same order, so the table remembers the
    /// keys of the last object walked, by ordinal: when member `i` starts with the bytes of the last
    /// object's key `i` followed by a quote, that is its key (the stored key holds no unescaped
    /// quote and does not end inside an escape), found without scanning or hashing it.
    public mutating func forEachMember(_ text: JSONText, object range: Range<Int>, among names: [[UInt8]],
                                       _ body: (_ key: Range<Int>, _ name: Int, _ value: Range<Int>) -> Bool) {
        guard range.count > 2, text[range.lowerBound] == UInt8(ascii: "{") else { return }
        var i = range.lowerBound + 1
        var member = 0
        let n = text.count
        // The fast path: while the keys are the predicted ones, without touching the table.
        if !predictions.isEmpty {
            let end = range.upperBound - 1
            let stopped = bytes.withUnsafeBufferPointer { stored in
                predictions.withUnsafeBufferPointer { predicted -> Bool in
                    let base = text.bytes.baseAddress!
                    while i < end && member < predicted.count {
                        let expected = predicted[member]
                        let keyStart = i &+ 1
                        let keyEnd = keyStart &+ expected.length
                        guard keyEnd < n, base[keyEnd] == UInt8(ascii: "\""),
                              Self.word(text, at: keyStart, count: expected.length) == expected.head,
                              expected.length <= 8 || Self.word(text, at: keyEnd &- 8, count: 8) == expected.tail,
                              expected.length <= 16
                                || memcmp(stored.baseAddress! + expected.start, base + keyStart + 8, expected.length - 16) == 0
                        else { return false }
                        let valueStart = keyEnd &+ 2
                        let valueEnd = JSONScanner.skipValue(text, from: valueStart)
                        if !body(keyStart..<keyEnd, expected.value, valueStart..<valueEnd) { return true }
                        i = valueEnd &+ 1
                        member &+= 1
                    }
                    return false
                }
            }
            if stopped { return }
        }
        while i < range.upperBound - 1 {
            let keyStart = i + 1
            var key: Range<Int>?
            var name = -1
            if member < sequence.count, let entry = sequence[member] {
                let stored = entries[entry]
                let keyEnd = keyStart + stored.length
                if keyEnd < n && text[keyEnd] == UInt8(ascii: "\"") {
                    let (head, tail) = Self.words(text, keyStart..<keyEnd)
                    if matches(stored, head, tail, text, keyStart..<keyEnd) {
                        key = keyStart..<keyEnd
                        name = stored.value
                    }
                }
            }
            if key == nil {
                let found = keyStart..<JSONScanner.skipString(text, from: i) - 1
                let (position, entry) = positionAndEntry(of: found, in: text, among: names)
                if member < Self.sequenceLimit {
                    if member >= sequence.count { sequence.append(contentsOf: repeatElement(nil, count: member + 1 - sequence.count)) }
                    sequence[member] = entry
                    notePrediction(member: member, entry: entry)
                }
                key = found
                name = position
            }
            let valueStart = key!.upperBound + 2
            let valueEnd = JSONScanner.skipValue(text, from: valueStart)
            if !body(key!, name, valueStart..<valueEnd) { return }
            i = valueEnd + 1
            member += 1
        }
    }
}
