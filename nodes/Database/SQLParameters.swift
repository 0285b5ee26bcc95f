/// `$1`-style parameters in SQL text, found outside string literals, quoted identifiers, comments and
/// PostgreSQL dollar-quoted bodies.
struct SQLParameters {
    /// The highest `$n` used (0 when none).
    var highest = 0
    /// The text with every `$n` written `?n`, SQLite's numbered parameter.
    var sqliteText = ""

    init(_ sql: String) {
        let bytes = Array(sql.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        func copy(until end: Int) {
            let stop = min(end, bytes.count)
            while i < stop { out.append(bytes[i]); i += 1 }
        }
        while i < bytes.count {
            let byte = bytes[i]
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                // A doubled quote inside is two adjacent literals to this scan: same result.
                var end = i + 1
                while end < bytes.count, bytes[end] != byte { end += 1 }
                copy(until: end + 1)
            case UInt8(ascii: "-") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "-"):
                var end = i
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                copy(until: end)
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                var end = i + 2
                while end + 1 < bytes.count, !(bytes[end] == UInt8(ascii: "*") && bytes[end + 1] == UInt8(ascii: "/")) { end += 1 }
                copy(until: end + 2)
            case UInt8(ascii: "$"):
                var end = i + 1
                while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
                let previous = i > 0 ? bytes[i - 1] : UInt8(ascii: " ")
                let inWord = previous == UInt8(ascii: "_") || (previous | 0x20 >= UInt8(ascii: "a") && previous | 0x20 <= UInt8(ascii: "z"))
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(previous)
                if end > i + 1, !inWord {
                    let number = Int(String(decoding: bytes[(i + 1)..<end], as: UTF8.self)) ?? 0
                    highest = max(highest, number)
                    out.append(UInt8(ascii: "?"))
                    i += 1
                    copy(until: end)
                    continue
                }
                // A dollar-quoted body: $$...$$ or $tag$...$tag$.
                var tagEnd = i + 1
                while tagEnd < bytes.count, bytes[tagEnd] == UInt8(ascii: "_") || bytes[tagEnd] >= 0x80
                    || (bytes[tagEnd] | 0x20 >= UInt8(ascii: "a") && bytes[tagEnd] | 0x20 <= UInt8(ascii: "z")) {
                    tagEnd += 1
                }
                if !inWord, tagEnd < bytes.count, bytes[tagEnd] == UInt8(ascii: "$") {
                    let tag = Array(bytes[i...tagEnd])
                    var end = tagEnd + 1
                    while end + tag.count <= bytes.count, Array(bytes[end..<(end + tag.count)]) != tag { end += 1 }
                    copy(until: end + tag.count)
                } else {
                    copy(until: i + 1)
                }
            default:
                out.append(byte)
                i += 1
            }
        }
        sqliteText = String(decoding: out, as: UTF8.self)
    }
}
