extension JSON {
    /// The JSON text of the value: compact by default, or indented by two spaces.
    public func serialized(pretty: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        write(to: &bytes, pretty: pretty, indent: 0)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the compact JSON text of the value to `bytes`.
    public func write(to bytes: inout [UInt8]) {
        write(to: &bytes, pretty: false, indent: 0)
    }

    public func write(to bytes: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: bytes.append(contentsOf: "null".utf8)
        case .bool(let b): bytes.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): JSON.writeInt(i, to: &bytes)
        case .double(let d): JSON.write(double: d, to: &bytes)
        case .string(let s): JSON.writeString(s, to: &bytes)
        case .array(let array):
            if array.isEmpty {
                bytes.append(contentsOf: "[]".utf8)
                return
            }
            bytes.append(UInt8(ascii: "["))
            // Elements are borrowed from the buffer: iterating the array would retain and release each.
            array.withUnsafeBufferPointer { elements in
                for i in elements.indices {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    if pretty { JSON.newline(&bytes, indent + 1) }
                    elements[i].write(to: &bytes, pretty: pretty, indent: indent + 1)
                }
            }
            if pretty { JSON.newline(&bytes, indent) }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            if object.isEmpty {
                bytes.append(contentsOf: "{}".utf8)
                return
            }
            bytes.append(UInt8(ascii: "{"))
            object.members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { bytes.append(UInt8(ascii: ",")) }
                    if pretty { JSON.newline(&bytes, indent + 1) }
                    JSON.writeString(members[i].key, to: &bytes)
                    bytes.append(UInt8(ascii: ":"))
                    if pretty { bytes.append(UInt8(ascii: " ")) }
                    members[i].value.write(to: &bytes, pretty: pretty, indent: indent + 1)
                }
            }
            if pretty { JSON.newline(&bytes, indent) }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    static func newline(_ bytes: inout [UInt8], _ indent: Int) {
        bytes.append(UInt8(ascii: "\n"))
        for _ in 0..<(indent * 2) { bytes.append(UInt8(ascii: " ")) }
    }

    static func writeInt(_ value: Int, to bytes: inout [UInt8]) {
        if value >= 0 && value < 10 {
            bytes.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        var magnitude = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        let count = withUnsafeMutableBytes(of: &digits) { raw -> Int in
            var n = 0
            while magnitude > 0 {
                raw[23 - n] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                n += 1
            }
            return n
        }
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        withUnsafeBytes(of: &digits) { raw in
            bytes.append(contentsOf: raw[(24 - count)...])
        }
    }

    /// Shortest text that reads back as the same double; integral values keep a `.0`.
    /// NaN and infinities have no JSON form and are written as `null`.
    public static func format(double d: Double) -> String {
        guard d.isFinite else { return "null" }
        return d.description
    }

    /// Writes `format(double:)`'s text. A number with at most six decimals, between 0.001 and
    /// 10^15 in magnitude (prices, rates, measures) is written from its integer count of
    /// millionths or less, without building a `String`: that decimal, with at most 15 significant
    /// digits, is the only one that short to read back as `d`, so it is the shortest text that
    /// does, which is what `description` writes.
    public static func write(double d: Double, to bytes: inout [UInt8]) {
        let magnitude = Swift.abs(d)
        if magnitude >= 0.001 && magnitude < 1e15 && d.rounded(.towardZero) != d {
            var scale = 1.0
            for decimals in 1...6 {
                scale *= 10
                let scaled = d * scale
                // Exact integers up to 10^15, so that the division below is a correctly rounded
                // quotient of exact values.
                guard Swift.abs(scaled) < 1e15 else { break }
                let units = scaled.rounded()
                guard units / scale == d else { continue }
                writeDecimal(Int64(units), decimals: decimals, to: &bytes)
                return
            }
        }
        bytes.append(contentsOf: format(double: d).utf8)
    }

    /// `units` / 10^`decimals` in positional notation, without trailing zeros after the point
    /// (there is at least one non-zero decimal).
    private static func writeDecimal(_ units: Int64, decimals: Int, to bytes: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        var value = units.magnitude
        withUnsafeMutableBytes(of: &digits) { buffer in
            // At least decimals + 1 digits: leading zeros for a number below one.
            while value > 0 || count <= decimals {
                buffer[count] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
                count += 1
            }
        }
        var trailing = 0
        withUnsafeBytes(of: &digits) { buffer in
            while trailing < decimals - 1 && buffer[trailing] == UInt8(ascii: "0") { trailing += 1 }
            if units < 0 { bytes.append(UInt8(ascii: "-")) }
            var k = count - 1
            while k >= trailing {
                if k == decimals - 1 { bytes.append(UInt8(ascii: ".")) }
                bytes.append(buffer[k])
                k -= 1
            }
        }
    }

    /// Writes `s` as a JSON string literal with the escapes RFC 8259 requires.
    public static func writeString(_ s: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { utf8 in
            guard let base = utf8.baseAddress else { return }
            let count = utf8.count
            var runStart = 0
            var i = 0
            while true {
                i = firstEscape(base, from: i, count: count)
                if i == count { break }
                if runStart < i { bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: i - runStart)) }
                let c = base[i]
                i += 1
                runStart = i
                bytes.append(0x5C)
                switch c {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    bytes.append(UInt8(ascii: "u"))
                    bytes.append(0x30)
                    bytes.append(0x30)
                    bytes.append(hexDigit(c >> 4))
                    bytes.append(hexDigit(c & 0xF))
                }
            }
            if runStart < count {
                bytes.append(contentsOf: UnsafeBufferPointer(start: base + runStart, count: count - runStart))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? UInt8(ascii: "0") + v : UInt8(ascii: "a") + v - 10 }

    /// The index of the first byte from `start` that must be escaped (a control character, `"` or
    /// `\`), or `count`. Tests eight bytes at a time: most strings need no escape at all.
    @inline(__always)
    static func firstEscape(_ base: UnsafePointer<UInt8>, from start: Int, count: Int) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var i = start
        while i + 8 <= count {
            let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
            // Per byte: high bit set in the result when the byte is below 0x20, or equals 0x22 or
            // 0x5C (x ^ c is zero). The test may flag a clean word, never miss a byte: the byte loop
            // below decides.
            let control = (w &- ones &* 0x20) & ~w
            let q = w ^ (ones &* 0x22)
            let quote = (q &- ones) & ~q
            let b = w ^ (ones &* 0x5C)
            let backslash = (b &- ones) & ~b
            if (control | quote | backslash) & highs != 0 { break }
            i += 8
        }
        while i < count {
            let c = base[i]
            if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { return i }
            i += 1
        }
        return count
    }

    /// `s` as a JSON string literal.
    public static func quote(_ s: String) -> String {
        var bytes: [UInt8] = []
        writeString(s, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
