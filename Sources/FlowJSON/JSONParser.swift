#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON text that could not be parsed, with the byte offset (0-based) and line:column (1-based).
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var line: Int
    public var column: Int

    public var description: String {
        "invalid JSON at byte \(offset) (line \(line), column \(column)): \(message)"
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Integers that fit in `Int` become `.int`; every other number becomes `.double`.
/// A repeated object key keeps its first position and its last value.
public struct JSONParser {
    /// Deepest nesting accepted; deeper input is an error, not a stack overflow.
    public static let maximumDepth = 512

    public static func parse(_ text: String) throws(JSONParseError) -> JSON {
        var text = text
        return try text.withUTF8 { buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }.get()
    }

    public static func parse<C: Collection<UInt8>>(bytes: C) throws(JSONParseError) -> JSON {
        if let result = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
        }) {
            return try result.get()
        }
        return try Array(bytes).withUnsafeBytes { buffer in
            Result { () throws(JSONParseError) in try parse(buffer) }
        }.get()
    }

    public static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> JSON {
        try parse(UnsafeRawBufferPointer(buffer))
    }

    /// Parses exactly one JSON value, surrounded by optional whitespace.
    public static func parse(_ buffer: UnsafeRawBufferPointer) throws(JSONParseError) -> JSON {
        var reader = Reader(buffer: buffer)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 0)
        reader.skipWhitespace()
        if reader.position < reader.end {
            throw reader.error("unexpected content after the JSON value")
        }
        return value
    }

    struct Reader {
        let base: UnsafePointer<UInt8>?
        let end: Int
        var position = 0
        let buffer: UnsafeRawBufferPointer

        init(buffer: UnsafeRawBufferPointer) {
            self.buffer = buffer
            base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
            end = buffer.count
        }

        @inline(__always)
        func byte(at i: Int) -> UInt8 { base![i] }

        func error(_ message: String, at offset: Int? = nil) -> JSONParseError {
            let offset = offset ?? position
            var line = 1
            var lineStart = 0
            var i = 0
            while i < offset && i < end {
                if byte(at: i) == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = i + 1
                }
                i += 1
            }
            // Columns count Unicode scalars, so skip UTF-8 continuation bytes.
            var column = 1
            var j = lineStart
            while j < offset && j < end {
                if byte(at: j) & 0xC0 != 0x80 { column += 1 }
                j += 1
            }
            return JSONParseError(message: message, offset: offset, line: line, column: column)
        }

        @inline(__always)
        mutating func skipWhitespace() {
            while position < end {
                let c = byte(at: position)
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 {
                    position += 1
                } else {
                    return
                }
            }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSON {
            guard position < end else { throw error("unexpected end of input, expected a value") }
            switch byte(at: position) {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return try parseNumber()
            default:
                throw error("unexpected character \(describe(byte(at: position))), expected a value")
            }
        }

        func describe(_ c: UInt8) -> String {
            if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
            return "byte 0x\(String(c, radix: 16))"
        }

        mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
            let count = literal.utf8CodeUnitCount
            guard position + count <= end else { throw error("unexpected end of input in literal") }
            let p = literal.utf8Start
            for i in 0..<count where byte(at: position + i) != p[i] {
                throw error("invalid literal, expected '\(literal)'")
            }
            position += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            // Room for a typical record up front: growing 1, 2, 4, 8, 16 costs more allocations.
            // (Sizing records like the previous one, exactly, made a file_input -> file_output copy
            // slower: it changes which malloc bins the other thread frees into.)
            var object = JSONObject(minimumCapacity: 8)
            skipWhitespace()
            if position < end && byte(at: position) == UInt8(ascii: "}") {
                position += 1
                return .object(object)
            }
            // One bit per key hash (a 128-bit Bloom filter): a key whose bit is clear is new, so
            // only keys whose bit is already set pay for the scan over the keys seen so far.
            var seenLow: UInt64 = 0
            var seenHigh: UInt64 = 0
            while true {
                skipWhitespace()
                guard position < end else { throw error("unexpected end of input in object") }
                guard byte(at: position) == UInt8(ascii: "\"") else {
                    throw error("expected a string key in object, found \(describe(byte(at: position)))")
                }
                let (key, hash) = try parseKey()
                skipWhitespace()
                guard position < end, byte(at: position) == UInt8(ascii: ":") else {
                    throw error("expected ':' after object key")
                }
                position += 1
                skipWhitespace()
                let value = try parseValue(depth: depth)
                // The top bits of a multiplication depend on every bit of the hash.
                let mixed = (hash &* 0x9e37_79b9_7f4a_7c15) >> 57
                let bit: UInt64 = 1 << (mixed & 63)
                let isNew: Bool
                if mixed & 64 == 0 {
                    isNew = seenLow & bit == 0
                    seenLow |= bit
                } else {
                    isNew = seenHigh & bit == 0
                    seenHigh |= bit
                }
                if isNew {
                    object.appendUnchecked(key, value)
                } else {
                    object[key] = value
                }
                skipWhitespace()
                guard position < end else { throw error("unexpected end of input in object") }
                let c = byte(at: position)
                position += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "}") { return .object(object) }
                throw error("expected ',' or '}' in object, found \(describe(c))", at: position - 1)
            }
        }

        /// An object key and a hash of its UTF-8 bytes, for the duplicate check.
        mutating func parseKey() throws(JSONParseError) -> (String, UInt64) {
            var key = try parseString()
            let hash = key.withUTF8 { Reader.keyHash($0) }
            return (key, hash)
        }

        /// A hash of a key's length and its first and last eight bytes: cheap, and enough to tell
        /// the keys of one object apart in the common case (a collision only costs a scan of the keys).
        @inline(__always)
        static func keyHash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
            let count = bytes.count
            guard let base = bytes.baseAddress else { return 0 }
            var head: UInt64 = 0
            var tail: UInt64 = 0
            if count >= 8 {
                head = UnsafeRawPointer(base).loadUnaligned(as: UInt64.self)
                tail = UnsafeRawPointer(base + count - 8).loadUnaligned(as: UInt64.self)
            } else {
                for k in 0..<count { head = head << 8 | UInt64(base[k]) }
            }
            return (head &* 0x9e37_79b9_7f4a_7c15 ^ tail ^ UInt64(count)) &* 0xff51_afd7_ed55_8ccd
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSON {
            if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth) levels") }
            position += 1
            var array: [JSON] = []
            skipWhitespace()
            if position < end && byte(at: position) == UInt8(ascii: "]") {
                position += 1
                return .array(array)
            }
            // One allocation for short arrays (tags, images) instead of growing through 1, 2, 4.
            array.reserveCapacity(4)
            while true {
                skipWhitespace()
                array.append(try parseValue(depth: depth))
                skipWhitespace()
                guard position < end else { throw error("unexpected end of input in array") }
                let c = byte(at: position)
                position += 1
                if c == UInt8(ascii: ",") { continue }
                if c == UInt8(ascii: "]") { return .array(array) }
                throw error("expected ',' or ']' in array, found \(describe(c))", at: position - 1)
            }
        }

        mutating func parseString() throws(JSONParseError) -> String {
            let start = position + 1
            var i = start
            // Fast path: no escapes.
            var high: UInt8 = 0
            while i < end {
                let c = byte(at: i)
                if c == UInt8(ascii: "\"") {
                    position = i + 1
                    return try makeString(start, i, ascii: high < 0x80)
                }
                if c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw error("unescaped control character in string", at: i) }
                high |= c
                i += 1
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(i - start + 16)
            bytes.append(contentsOf: UnsafeBufferPointer(start: base! + start, count: i - start))
            while i < end {
                let c = byte(at: i)
                if c == UInt8(ascii: "\"") {
                    position = i + 1
                    guard let s = String(validating: bytes, as: UTF8.self) else {
                        throw error("invalid UTF-8 in string", at: start)
                    }
                    return s
                }
                if c < 0x20 { throw error("unescaped control character in string", at: i) }
                if c != UInt8(ascii: "\\") {
                    bytes.append(c)
                    i += 1
                    continue
                }
                i += 1
                guard i < end else { break }
                let e = byte(at: i)
                i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(at: i)
                    i += 4
                    if scalar >= 0xD800 && scalar < 0xDC00 {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard i + 6 <= end, byte(at: i) == UInt8(ascii: "\\"), byte(at: i + 1) == UInt8(ascii: "u")
                        else { throw error("unpaired UTF-16 surrogate in \\u escape", at: i - 6) }
                        let low = try hex4(at: i + 2)
                        guard low >= 0xDC00 && low < 0xE000 else {
                            throw error("unpaired UTF-16 surrogate in \\u escape", at: i - 6)
                        }
                        i += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00 && scalar < 0xE000 {
                        throw error("unpaired UTF-16 surrogate in \\u escape", at: i - 6)
                    }
                    appendUTF8(scalar, to: &bytes)
                default:
                    throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: i - 2)
                }
            }
            throw error("unterminated string", at: start - 1)
        }

        func hex4(at i: Int) throws(JSONParseError) -> UInt32 {
            guard i + 4 <= end else { throw error("truncated \\u escape", at: i) }
            var v: UInt32 = 0
            for k in 0..<4 {
                guard let d = JSONScanner.hexDigit(byte(at: i + k)) else {
                    throw error("invalid hex digit in \\u escape", at: i + k)
                }
                v = v << 4 | d
            }
            return v
        }

        func makeString(_ from: Int, _ to: Int, ascii: Bool) throws(JSONParseError) -> String {
            let slice = UnsafeBufferPointer(start: base! + from, count: to - from)
            // ASCII is valid UTF-8: skip the generic `String(validating:)`, which costs a metadata
            // lookup per call and dominated NDJSON parsing in profiles.
            if ascii { return String(decoding: slice, as: UTF8.self) }
            guard let s = String(validating: slice, as: UTF8.self) else {
                throw error("invalid UTF-8 in string", at: from)
            }
            return s
        }

        mutating func parseNumber() throws(JSONParseError) -> JSON {
            let start = position
            var i = position
            var negative = false
            if byte(at: i) == UInt8(ascii: "-") {
                negative = true
                i += 1
            }
            guard i < end, isDigit(byte(at: i)) else { throw error("invalid number: expected a digit", at: i) }
            if byte(at: i) == UInt8(ascii: "0"), i + 1 < end, isDigit(byte(at: i + 1)) {
                throw error("invalid number: leading zero", at: i)
            }
            var magnitude: UInt64 = 0
            var overflow = false
            while i < end, isDigit(byte(at: i)) {
                let (m1, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (m2, o2) = m1.addingReportingOverflow(UInt64(byte(at: i) - UInt8(ascii: "0")))
                magnitude = m2
                overflow = overflow || o1 || o2
                i += 1
            }
            var isInteger = true
            // The digits as one integer (`significand`) and the power of ten it is scaled by.
            var significand = magnitude
            var scale = 0
            if i < end, byte(at: i) == UInt8(ascii: ".") {
                isInteger = false
                i += 1
                guard i < end, isDigit(byte(at: i)) else {
                    throw error("invalid number: expected a digit after '.'", at: i)
                }
                while i < end, isDigit(byte(at: i)) {
                    let (m1, o1) = significand.multipliedReportingOverflow(by: 10)
                    let (m2, o2) = m1.addingReportingOverflow(UInt64(byte(at: i) - UInt8(ascii: "0")))
                    significand = m2
                    overflow = overflow || o1 || o2
                    scale -= 1
                    i += 1
                }
            }
            if i < end, byte(at: i) == UInt8(ascii: "e") || byte(at: i) == UInt8(ascii: "E") {
                isInteger = false
                i += 1
                var negativeExponent = false
                if i < end, byte(at: i) == UInt8(ascii: "+") || byte(at: i) == UInt8(ascii: "-") {
                    negativeExponent = byte(at: i) == UInt8(ascii: "-")
                    i += 1
                }
                guard i < end, isDigit(byte(at: i)) else {
                    throw error("invalid number: expected a digit in exponent", at: i)
                }
                var exponent = 0
                while i < end, isDigit(byte(at: i)) {
                    // Past 10^6 no fast path applies; the digits only need consuming.
                    if exponent < 1_000_000 { exponent = exponent * 10 + Int(byte(at: i) - UInt8(ascii: "0")) }
                    i += 1
                }
                scale += negativeExponent ? -exponent : exponent
            }
            position = i
            if !isInteger && !overflow && significand <= 1 << 53 && scale >= -22 && scale <= 22 {
                // Both the significand and the power of ten are exact doubles, so one division or
                // multiplication rounds correctly: the value strtod gives (Clinger's fast path).
                let value = scale < 0 ? Double(significand) / Self.powersOfTen[-scale] : Double(significand) * Self.powersOfTen[scale]
                return .double(negative ? -value : value)
            }
            if isInteger && !overflow {
                if negative {
                    if magnitude <= UInt64(Int.max) + 1 {
                        return .int(magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude))
                    }
                } else if magnitude <= UInt64(Int.max) {
                    return .int(Int(magnitude))
                }
            }
            return .double(parseDouble(start, i))
        }

        func parseDouble(_ from: Int, _ to: Int) -> Double {
            // strtod needs a terminated string; numbers are short, so copy to the stack.
            let length = to - from
            return withUnsafeTemporaryAllocation(of: CChar.self, capacity: length + 1) { tmp in
                for k in 0..<length { tmp[k] = CChar(bitPattern: byte(at: from + k)) }
                tmp[length] = 0
                return strtod(tmp.baseAddress!, nil)
            }
        }

        /// 10^0 through 10^22, the powers of ten a double holds exactly.
        static let powersOfTen: [Double] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
            1e20, 1e21, 1e22,
        ]

        @inline(__always)
        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    }
}

@inline(__always)
func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
    switch scalar {
    case 0..<0x80:
        bytes.append(UInt8(scalar))
    case 0x80..<0x800:
        bytes.append(UInt8(0xC0 | (scalar >> 6)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    case 0x800..<0x10000:
        bytes.append(UInt8(0xE0 | (scalar >> 12)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    default:
        bytes.append(UInt8(0xF0 | (scalar >> 18)))
        bytes.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
        bytes.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
        bytes.append(UInt8(0x80 | (scalar & 0x3F)))
    }
}
