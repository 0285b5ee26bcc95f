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
    private var slots = [Int32](repeating: -1, count: 256)
    private var bytes: [UInt8] = []
    /// Key `i` is `bytes[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]
    private var values: [Int] = []
    public static let limit = 128

    public init() {}

    /// The length and three of the key's bytes (first, second, last): enough to tell the keys of
    /// a record type apart, and a few loads instead of a pass over the key.
    @inline(__always)
    private static func hash(_ text: JSONText, _ key: Range<Int>) -> Int {
        let n = key.count
        guard n > 0 else { return 0 }
        let base = text.bytes.baseAddress! + key.lowerBound
        var h = UInt64(n) | UInt64(base[0]) << 8 | UInt64(base[n - 1]) << 16 | UInt64(base[n > 1 ? 1 : 0]) << 24
        h = h &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h >> 40)
    }

    /// The value stored for the key whose bytes are at `key` (without quotes), or nil.
    @inline(__always)
    public func value(_ text: JSONText, _ key: Range<Int>) -> Int? {
        let mask = slots.count - 1
        var slot = Self.hash(text, key) & mask
        let count = key.count
        let probe = text.bytes.baseAddress! + key.lowerBound
        return slots.withUnsafeBufferPointer { slots in
            starts.withUnsafeBufferPointer { starts in
                bytes.withUnsafeBufferPointer { bytes in
                    while true {
                        let entry = Int(slots[slot])
                        if entry < 0 { return nil }
                        let start = starts[entry]
                        if starts[entry + 1] - start == count
                            && (count == 0 || memcmp(bytes.baseAddress! + start, probe, count) == 0)
                        {
                            return values[entry]
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
    }

    /// Stores `value` for the key at `key`, which must not be in the table yet; ignored once the
    /// table holds `limit` keys.
    public mutating func insert(_ text: JSONText, _ key: Range<Int>, value: Int) {
        guard values.count < Self.limit else { return }
        var slot = Self.hash(text, key) & (slots.count - 1)
        while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
        slots[slot] = Int32(values.count)
        bytes.append(contentsOf: text[key])
        starts.append(bytes.count)
        values.append(value)
    }

    /// The index in `names` of the key at `key` (as written, without quotes; escapes are decoded
    /// when comparing), or -1 when it is none of them. Each distinct key is compared with the
    /// names once and remembered, so records of one shape cost one table lookup per member.
    @inline(__always)
    public mutating func position(of key: Range<Int>, in text: JSONText, among names: [[UInt8]]) -> Int {
        if let known = value(text, key) { return known }
        var position = -1
        for (k, name) in names.enumerated() where JSONScanner.key(text, key, equals: name) {
            position = k
            break
        }
        insert(text, key, value: position)
        return position
    }
}
