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

    @inline(__always)
    private static func hash(_ text: JSONText, _ key: Range<Int>) -> Int {
        var h = UInt64(key.count) &* 0x9E37_79B9_7F4A_7C15
        for i in key { h = (h ^ UInt64(text[i])) &* 0x0100_0000_01B3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The value stored for the key whose bytes are at `key` (without quotes), or nil.
    @inline(__always)
    public func value(_ text: JSONText, _ key: Range<Int>) -> Int? {
        var slot = Self.hash(text, key) & (slots.count - 1)
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            let start = starts[entry]
            if starts[entry + 1] - start == key.count {
                var same = true
                for k in 0..<key.count where bytes[start + k] != text[key.lowerBound + k] {
                    same = false
                    break
                }
                if same { return values[entry] }
            }
            slot = (slot + 1) & (slots.count - 1)
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
}
