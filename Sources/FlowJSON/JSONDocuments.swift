import CJSONScan

/// JSON documents kept as validated bytes: records that move from a source to a sink (an NDJSON
/// line to a file or a Kafka message, an API page to `json_extract`) without being parsed into
/// `JSON` values and serialized again.
///
/// Every document is checked with the same rules as `JSONParser` when it is appended, and stored
/// compact (no whitespace outside strings), one after another in one buffer. The text of a
/// document is kept as written: numbers keep their digits and strings their escapes, so a
/// pass-through writes exactly what it read, minus insignificant whitespace.
public struct JSONDocuments: Sendable {
    /// The compact documents, back to back.
    public internal(set) var bytes: [UInt8] {
        get { storage }
        _modify { yield &storage }
    }
    /// `bytes`, for the inlined appends.
    @usableFromInline var storage: [UInt8] = []
    /// `ends[i]` is the offset just past document `i` in `bytes`.
    public private(set) var ends: [Int] = []
    /// Where the large containers of each document end, found while validating: pairs of
    /// (start, end) offsets relative to the document, in document order, so that navigation
    /// skips a large object or array without reading it again. `extentEnds[i]` is the end of
    /// document `i`'s pairs.
    var extents: [Int] = []
    var extentEnds: [Int] = []

    public init() {}

    public init(reservingBytes capacity: Int, documents: Int) {
        bytes.reserveCapacity(capacity)
        ends.reserveCapacity(documents)
    }

    public var count: Int { ends.count }
    public var isEmpty: Bool { ends.isEmpty }

    /// The byte range of document `i` in `bytes`.
    @inlinable
    public func range(_ i: Int) -> Range<Int> { (i == 0 ? 0 : ends[i - 1])..<ends[i] }

    /// Validates one JSON text (surrounding whitespace allowed) and appends it, compact.
    /// Throws the error `JSONParser` reports for the same bytes.
    public mutating func append(validating text: UnsafeRawBufferPointer) throws(JSONParseError) {
        guard !text.isEmpty else { _ = try JSONParser.parse(text); return }
        let start = bytes.count
        // Compact output is never longer than the input: write it in place, then trim.
        var scanned: (written: Int, extents: [Int])?
        if bytes.isEmpty && bytes.capacity < text.count {
            // The first document, with no room reserved (a whole API page, often): no
            // zero-filling of a buffer about to be overwritten.
            bytes = [UInt8](unsafeUninitializedCapacity: text.count) { out, count in
                var scanner = JSONScanner(text.bindMemory(to: UInt8.self), output: out.baseAddress!)
                if scanner.validateDocument() { scanned = (scanner.written, scanner.extents) }
                count = scanned?.written ?? 0
            }
        } else {
            bytes.append(contentsOf: repeatElement(0, count: text.count))
            scanned = bytes.withUnsafeMutableBufferPointer { out in
                var scanner = JSONScanner(text.bindMemory(to: UInt8.self), output: out.baseAddress! + start)
                return scanner.validateDocument() ? (scanner.written, scanner.extents) : nil
            }
            bytes.removeLast(text.count - (scanned?.written ?? 0))
        }
        if let scanned {
            extents.append(contentsOf: scanned.extents)
        } else {
            // The scanner only accepts what the parser accepts; on anything else the parser gives
            // the error (or, should it accept the text after all, its value written compact).
            let value = try JSONParser.parse(text)
            value.write(to: &bytes, pretty: false, indent: 0)
        }
        ends.append(bytes.count)
        extentEnds.append(extents.count)
    }

    /// One document validated from `text` (surrounding whitespace allowed), keeping `text`'s
    /// storage when the text is compact already (no whitespace outside strings but at its ends,
    /// which are trimmed): an API page is then validated without writing a second copy of it, and
    /// `text` is left empty. Otherwise (whitespace to remove, or an error) the result is exactly
    /// `append(validating:)`'s, and `text` is left as it was. For no copy at all, `text` must be
    /// the only reference to its storage: trimming a shared array copies it.
    /// Throws the error `JSONParser` reports for the same bytes.
    public init(adopting text: inout [UInt8]) throws(JSONParseError) {
        let scanned: (start: Int, end: Int, extents: [Int])? = text.withUnsafeBufferPointer { b in
            guard !b.isEmpty else { return nil }
            var scanner = JSONScanner(validatingInPlace: b)
            return scanner.validateDocument() ? (scanner.documentStart, scanner.written, scanner.extents) : nil
        }
        guard let scanned else {
            let failure: JSONParseError? = text.withUnsafeBytes { raw in
                do throws(JSONParseError) { try append(validating: raw) } catch { return error }
                return nil
            }
            if let failure { throw failure }
            return
        }
        text.removeLast(text.count - scanned.end)
        if scanned.start > 0 { text.removeFirst(scanned.start) }
        swap(&bytes, &text)
        ends = [bytes.count]
        extents = scanned.extents
        extentEnds = [extents.count]
    }

    /// Appends the compact text of a parsed value.
    public mutating func append(_ value: JSON) {
        value.write(to: &bytes, pretty: false, indent: 0)
        ends.append(bytes.count)
        extentEnds.append(extents.count)
    }

    /// Calls `body` with document `i`.
    public func withDocument<R>(_ i: Int, _ body: (JSONText) throws -> R) rethrows -> R {
        let r = range(i)
        let e = (i == 0 ? 0 : extentEnds[i - 1])..<extentEnds[i]
        var hint = 0
        return try bytes.withUnsafeBufferPointer { b in
            try extents.withUnsafeBufferPointer { x in
                try withUnsafeMutablePointer(to: &hint) { hint in
                    try body(JSONText(bytes: UnsafeBufferPointer(rebasing: b[r]), extents: UnsafeBufferPointer(rebasing: x[e]),
                                      hint: hint))
                }
            }
        }
    }

    /// Calls `body` with the index and text of each document in `range` (all by default), in
    /// order, until it returns false: `withDocument` for each, with the buffers opened once.
    public func forEachDocument(in range: Range<Int>? = nil, _ body: (Int, JSONText) throws -> Bool) rethrows {
        let range = range ?? 0..<count
        guard !range.isEmpty else { return }
        var hint = 0
        try bytes.withUnsafeBufferPointer { b in
            try extents.withUnsafeBufferPointer { x in
                try withUnsafeMutablePointer(to: &hint) { hint in
                    var start = range.lowerBound == 0 ? 0 : ends[range.lowerBound - 1]
                    var extentStart = range.lowerBound == 0 ? 0 : extentEnds[range.lowerBound - 1]
                    for i in range {
                        let end = ends[i]
                        let extentEnd = extentEnds[i]
                        hint.pointee = 0
                        let text = JSONText(bytes: UnsafeBufferPointer(rebasing: b[start..<end]),
                                            extents: UnsafeBufferPointer(rebasing: x[extentStart..<extentEnd]), hint: hint)
                        guard try body(i, text) else { return }
                        start = end
                        extentStart = extentEnd
                    }
                }
            }
        }
    }

    /// Document `i` parsed.
    public func value(_ i: Int) throws(JSONParseError) -> JSON {
        let r = range(i)
        let result: Result<JSON, JSONParseError> = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONParseError) -> JSON in try JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[r])) }
        }
        return try result.get()
    }

    /// Every document parsed.
    public func values() throws(JSONParseError) -> [JSON] {
        var out: [JSON] = []
        out.reserveCapacity(count)
        let failure: JSONParseError? = bytes.withUnsafeBytes { raw in
            var start = 0
            for end in ends {
                do throws(JSONParseError) {
                    out.append(try JSONParser.parse(UnsafeRawBufferPointer(rebasing: raw[start..<end])))
                } catch {
                    return error
                }
                start = end
            }
            return nil
        }
        if let failure { throw failure }
        return out
    }
}

/// A validating scanner over JSON bytes that builds no values. It accepts a subset of what
/// `JSONParser` accepts (the same grammar, depth limit and UTF-8 rules), so callers fall back to
/// the parser for the precise error. While validating it writes the text without insignificant
/// whitespace to `output`, or, validating in place, writes nothing and stops at the first such
/// whitespace. Its static functions navigate validated, compact documents.
public struct JSONScanner {
    /// Never read when `end` is 0.
    let base: UnsafePointer<UInt8>
    let end: Int
    var position = 0
    /// Validating in place: `base`, never written to (every write checks `copies`).
    let output: UnsafeMutablePointer<UInt8>
    /// False when validating in place: nothing is written and `written` follows `position`.
    let copies: Bool
    /// Where the document starts in the output: 0, or in place, after the leading whitespace.
    public private(set) var documentStart = 0
    /// Bytes written to `output` (in place: the end of the document in the input).
    public private(set) var written = 0
    /// Set when validating in place found whitespace between tokens: the text is valid as far as
    /// it was read, but only a compacted copy can be kept.
    public private(set) var needsCompacting = false
    var sawNonASCII = false
    /// (start, end) output offsets of the containers of at least `extentMinimum` bytes, in
    /// document order.
    public private(set) var extents: [Int] = []
    static let extentMinimum = 128
    /// Whether `validateDocument` tries `validateCompact` first, and whether that keeps to SSE2
    /// on a processor with AVX2: tests compare all the ways.
    var triesCompactPath = true
    var compactSSE2Only = false

    /// Notes where a container opens; returns its slot for `closeContainer`.
    @inline(__always)
    mutating func openContainer() -> Int {
        extents.append(written - 1)
        extents.append(0)
        return extents.count - 2
    }

    /// Keeps the container's extent when it is large; a small container's nested ones are
    /// smaller still, so they go too.
    @inline(__always)
    mutating func closeContainer(_ slot: Int) {
        if written - extents[slot] < Self.extentMinimum {
            extents.removeLast(extents.count - slot)
        } else {
            extents[slot + 1] = written
        }
    }

    /// `output` must have room for `buffer.count` bytes.
    public init(_ buffer: UnsafeBufferPointer<UInt8>, output: UnsafeMutablePointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        self.output = output
        copies = true
    }

    /// A scanner that validates `buffer` without writing anything: a compact document is
    /// `buffer[documentStart..<written]` with the extents found, and whitespace between tokens
    /// stops validation with `needsCompacting` set.
    public init(validatingInPlace buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
        output = UnsafeMutablePointer(mutating: base)
        copies = false
    }

    @inline(__always)
    func byte(at i: Int) -> UInt8 { base[i] }

    @inline(__always)
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09
    }

    @inline(__always)
    mutating func emit(_ c: UInt8) {
        if copies { output[written] = c }
        written += 1
    }

    /// Copies input bytes `from..<to` (a few: a number or a literal) to the output.
    @inline(__always)
    mutating func emit(from: Int, to: Int) {
        if copies {
            for k in from..<to { output[written + k - from] = base[k] }
        }
        written += to - from
    }

    /// True when the buffer holds exactly one JSON value (surrounding whitespace allowed); false
    /// when it does not, or when in doubt.
    public mutating func validateDocument() -> Bool {
        #if arch(x86_64)
            if triesCompactPath && validateCompact() { return true }
        #endif
        position = 0
        written = 0
        skipSpaces()
        if !copies { written = position }
        documentStart = written
        guard value(depth: 0) else { return false }
        skipSpaces()
        guard position == end else { return false }
        if sawNonASCII {
            let document = UnsafeBufferPointer(start: output + documentStart, count: written - documentStart)
            guard Self.isValidUTF8(document) else { return false }
        }
        if documentStart > 0 {
            for k in extents.indices { extents[k] -= documentStart }
        }
        return true
    }

    /// The fast path for a compact text (no whitespace but around it): validated 64 bytes at a
    /// time with bitmasks by `flow_json_validate_compact` (CJSONScan), then copied whole when
    /// copying. False, with nothing changed, when the text is not accepted there: invalid, or with
    /// whitespace to drop; `validateDocument` then scans it byte by byte, which decides.
    mutating func validateCompact() -> Bool {
        var start = 0
        var stop = end
        while start < stop, Self.isWhitespace(base[start]) { start += 1 }
        while stop > start, Self.isWhitespace(base[stop - 1]) { stop -= 1 }
        guard start < stop else { return false }
        var found = flow_json_extents()
        defer { flow_json_extents_free(&found) }
        var nonASCII: Int32 = 0
        let validate = compactSSE2Only ? flow_json_validate_compact_sse2 : flow_json_validate_compact
        guard validate(base + start, stop - start, Int32(JSONParser.maximumDepth), Self.extentMinimum, &found, &nonASCII) == 1
        else { return false }
        if nonASCII != 0 && !Self.isValidUTF8(UnsafeBufferPointer(start: base + start, count: stop - start)) { return false }
        if copies {
            output.update(from: base + start, count: stop - start)
            documentStart = 0
            written = stop - start
        } else {
            documentStart = start
            written = stop
        }
        position = end
        extents = found.count == 0 ? [] : Array(UnsafeBufferPointer(start: found.items, count: found.count))
        return true
    }

    /// Whitespace around the document.
    mutating func skipSpaces() {
        while position < end, Self.isWhitespace(byte(at: position)) { position += 1 }
    }

    /// Whitespace between tokens: skipped when compacting; in place, where the output must
    /// stay the input, it ends validation (`position` moves to the end, so every caller fails).
    @inline(__always)
    mutating func skipWhitespace() {
        guard position < end, Self.isWhitespace(byte(at: position)) else { return }
        if copies {
            skipSpaces()
        } else {
            needsCompacting = true
            position = end
        }
    }

    mutating func value(depth: Int) -> Bool {
        guard position < end else { return false }
        switch byte(at: position) {
        case UInt8(ascii: "{"): return container(closedBy: UInt8(ascii: "}"), members: true, depth: depth)
        case UInt8(ascii: "["): return container(closedBy: UInt8(ascii: "]"), members: false, depth: depth)
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true")
        case UInt8(ascii: "f"): return literal("false")
        case UInt8(ascii: "n"): return literal("null")
        default: return number()
        }
    }

    /// An object (`members`: each element is `"key": value`) or an array, from its opening bracket.
    mutating func container(closedBy close: UInt8, members: Bool, depth: Int) -> Bool {
        guard depth < JSONParser.maximumDepth else { return false }
        emit(byte(at: position))
        let slot = openContainer()
        position += 1
        skipWhitespace()
        guard position < end else { return false }
        if byte(at: position) == close {
            emit(close)
            position += 1
            closeContainer(slot)
            return true
        }
        while true {
            if members {
                guard position < end, byte(at: position) == UInt8(ascii: "\""), string() else { return false }
                skipWhitespace()
                guard position < end, byte(at: position) == UInt8(ascii: ":") else { return false }
                emit(UInt8(ascii: ":"))
                position += 1
                skipWhitespace()
            }
            guard element(depth: depth + 1) else { return false }
            skipWhitespace()
            guard position < end else { return false }
            let c = byte(at: position)
            position += 1
            emit(c)
            if c == close {
                closeContainer(slot)
                return true
            }
            guard c == UInt8(ascii: ",") else { return false }
            skipWhitespace()
        }
    }

    /// A member value or array element: strings and numbers without the general dispatch.
    @inline(__always)
    mutating func element(depth: Int) -> Bool {
        guard position < end else { return false }
        let c = byte(at: position)
        if c == UInt8(ascii: "\"") { return string() }
        if c &- UInt8(ascii: "0") < 10 || c == UInt8(ascii: "-") { return number() }
        return value(depth: depth)
    }

    mutating func literal(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard position + n <= end else { return false }
        for k in 0..<n where byte(at: position + k) != text.utf8Start[k] { return false }
        emit(from: position, to: position + n)
        position += n
        return true
    }

    /// A string starting at the opening quote; escapes are checked, surrogates paired. The
    /// bytes are copied to the output as they are scanned (a string has no whitespace to drop).
    mutating func string() -> Bool {
        var i = position + 1
        // Output position minus input position, constant inside a string.
        let shift = written - position
        if copies { output[written] = UInt8(ascii: "\"") }
        while true {
            // Up to the next quote, backslash or control character. Most strings (keys, short
            // values) end within sixteen bytes; runs are copied whole (bytes past the string's end
            // are rewritten later), and bytes past the string may set `sawNonASCII`: at worst an
            // unneeded UTF-8 check of the document.
            #if arch(x86_64)
                // Sixteen bytes at a time with SSE2 (baseline on x86-64), inlined from CJSONScan.
                while i &+ 16 <= end {
                    let probe = flow_json_probe16(base + i)
                    if copies { flow_json_copy16(output + i + shift, base + i) }
                    if probe > 0xFFFF { sawNonASCII = true }
                    let special = probe & 0xFFFF
                    if special != 0 {
                        i &+= special.trailingZeroBitCount
                        break
                    }
                    i &+= 16
                }
            #else
                // Two eight-byte words tested at once, then sixteen bytes at a time in C.
                var words = 0
                while words < 2 && i + 8 <= end {
                    let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    if copies { UnsafeMutableRawPointer(output + i + shift).storeBytes(of: word, as: UInt64.self) }
                    if word & 0x8080_8080_8080_8080 != 0 { sawNonASCII = true }
                    let special = Self.hasByte(word, 0x22) | Self.hasByte(word, 0x5C) | Self.hasByteBelow(word, 0x20)
                    if special != 0 {
                        // The lowest flagged byte is a true match (false flags only sit above one).
                        i += special.trailingZeroBitCount / 8
                        break
                    }
                    i += 8
                    words += 1
                }
                if words == 2 && i < end {
                    var high: Int32 = 0
                    let run = flow_json_scan_string(base + i, end - i, &high)
                    if high != 0 { sawNonASCII = true }
                    if copies { (output + i + shift).update(from: base + i, count: run) }
                    i += run
                }
            #endif
            // Near the end of the buffer, byte by byte (at once done when a special byte was found).
            while i < end {
                let c = base[i]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") || c < 0x20 { break }
                if c >= 0x80 { sawNonASCII = true }
                if copies { output[i + shift] = c }
                i += 1
            }
            guard i < end else { return false }
            let c = byte(at: i)
            if copies { output[i + shift] = c }
            if c == UInt8(ascii: "\"") {
                position = i + 1
                written = position + shift
                return true
            }
            if c < 0x20 { return false }
            if c >= 0x80 { sawNonASCII = true }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < end else { return false }
                var length = 2
                switch byte(at: i + 1) {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    guard let unit = hex4(at: i + 2) else { return false }
                    length = 6
                    if unit >= 0xD800 && unit < 0xDC00 {
                        guard i + 12 <= end, byte(at: i + 6) == UInt8(ascii: "\\"), byte(at: i + 7) == UInt8(ascii: "u"),
                              let low = hex4(at: i + 8), low >= 0xDC00 && low < 0xE000 else { return false }
                        length = 12
                    } else if unit >= 0xDC00 && unit < 0xE000 {
                        return false
                    }
                default:
                    return false
                }
                if copies {
                    for k in 1..<length { output[i + k + shift] = byte(at: i + k) }
                }
                i += length
                continue
            }
            i += 1
        }
    }

    /// Non-zero when a byte of `word` equals `value`; false flags only sit above a true match.
    @inline(__always)
    static func hasByte(_ word: UInt64, _ value: UInt8) -> UInt64 {
        let x = word ^ (0x0101_0101_0101_0101 &* UInt64(value))
        return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
    }

    /// Non-zero when a byte of `word` is below `value` (at most 128); false flags only sit above
    /// a true match.
    @inline(__always)
    static func hasByteBelow(_ word: UInt64, _ value: UInt8) -> UInt64 {
        (word &- 0x0101_0101_0101_0101 &* UInt64(value)) & ~word & 0x8080_8080_8080_8080
    }

    func hex4(at i: Int) -> UInt32? {
        guard i + 4 <= end else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = Self.hexDigit(byte(at: i + k)) else { return nil }
            v = v << 4 | d
        }
        return v
    }

    /// The value of a hexadecimal digit, either case.
    @inline(__always)
    static func hexDigit(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    @inline(__always)
    func isDigit(_ i: Int) -> Bool {
        i < end && byte(at: i) >= UInt8(ascii: "0") && byte(at: i) <= UInt8(ascii: "9")
    }

    mutating func number() -> Bool {
        var i = position
        if i < end, byte(at: i) == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return false }
        if byte(at: i) == UInt8(ascii: "0") {
            i += 1
            if isDigit(i) { return false }
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < end, byte(at: i) == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        if i < end, byte(at: i) == UInt8(ascii: "e") || byte(at: i) == UInt8(ascii: "E") {
            i += 1
            if i < end, byte(at: i) == UInt8(ascii: "+") || byte(at: i) == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return false }
            while isDigit(i) { i += 1 }
        }
        emit(from: position, to: i)
        position = i
        return true
    }

    /// Well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            #if arch(x86_64)
                // ASCII sixteen bytes at a time.
                if i &+ 16 <= n, flow_json_probe16(bytes.baseAddress! + i) <= 0xFFFF {
                    i &+= 16
                    continue
                }
            #endif
            let c = bytes[i]
            if c < 0x80 { i += 1; continue }
            func cont(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            if c >= 0xC2 && c <= 0xDF {
                guard cont(1) else { return false }
                i += 2
            } else if c >= 0xE0 && c <= 0xEF {
                guard cont(1), cont(2) else { return false }
                let c1 = bytes[i + 1]
                if c == 0xE0 && c1 < 0xA0 { return false }
                if c == 0xED && c1 >= 0xA0 { return false }
                i += 3
            } else if c >= 0xF0 && c <= 0xF4 {
                guard cont(1), cont(2), cont(3) else { return false }
                let c1 = bytes[i + 1]
                if c == 0xF0 && c1 < 0x90 { return false }
                if c == 0xF4 && c1 >= 0x90 { return false }
                i += 4
            } else {
                return false
            }
        }
        return true
    }
}

// MARK: - Navigating compact documents

/// One validated, compact document of a `JSONDocuments`: its bytes, and where its large
/// containers end.
public struct JSONText {
    public let bytes: UnsafeBufferPointer<UInt8>
    /// (start, end) pairs, by start.
    let extents: UnsafeBufferPointer<Int>
    /// Where the last extent lookup ended (the index of the first pair starting at or after the
    /// position asked for), when the creator provides room for it: navigation mostly moves
    /// forward, so the next lookup is then answered from the neighbouring pairs.
    let hint: UnsafeMutablePointer<Int>?

    public init(bytes: UnsafeBufferPointer<UInt8>, extents: UnsafeBufferPointer<Int>) {
        self.init(bytes: bytes, extents: extents, hint: nil)
    }

    init(bytes: UnsafeBufferPointer<UInt8>, extents: UnsafeBufferPointer<Int>, hint: UnsafeMutablePointer<Int>?) {
        self.bytes = bytes
        self.extents = extents
        self.hint = hint
    }

    @inlinable public var count: Int { bytes.count }
    @inlinable public subscript(i: Int) -> UInt8 { bytes[i] }
    @inlinable public subscript(range: Range<Int>) -> Slice<UnsafeBufferPointer<UInt8>> { bytes[range] }
    public var first: UInt8? { bytes.first }

    /// The end of the container starting at `start`, when validation recorded it.
    @usableFromInline
    func extentEnd(startingAt start: Int) -> Int? {
        let pairs = extents.count / 2
        if let hint {
            // A few pairs forward from the last lookup: found, or known to be missing when
            // `start` falls between two neighbouring pairs.
            var k = hint.pointee
            if k <= pairs && (k == 0 || extents[(k - 1) * 2] < start) {
                var steps = 0
                while k < pairs && extents[k * 2] < start && steps < 4 {
                    k += 1
                    steps += 1
                }
                if k == pairs || extents[k * 2] >= start {
                    hint.pointee = k
                    return k < pairs && extents[k * 2] == start ? extents[k * 2 + 1] : nil
                }
            }
        }
        var low = 0
        var high = pairs
        while low < high {
            let mid = (low + high) / 2
            if extents[mid * 2] < start { low = mid + 1 } else { high = mid }
        }
        hint?.pointee = low
        return low < pairs && extents[low * 2] == start ? extents[low * 2 + 1] : nil
    }
}

extension JSONScanner {
    /// The end of the value starting at `i` in a validated, compact document.
    @inlinable
    public static func skipValue(_ text: JSONText, from i: Int) -> Int {
        let c = text[i]
        if c == UInt8(ascii: "\"") { return skipString(text, from: i) }
        if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
            if let end = text.extentEnd(startingAt: i) { return end }
            var depth = 0
            var j = i
            let n = text.count
            while j < n {
                let d = text[j]
                if d == UInt8(ascii: "\"") {
                    j = skipString(text, from: j)
                    continue
                }
                if d == UInt8(ascii: "{") || d == UInt8(ascii: "[") {
                    depth += 1
                } else if d == UInt8(ascii: "}") || d == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return j + 1 }
                }
                j += 1
            }
            return n
        }
        // A number or a literal: up to the next delimiter.
        var j = i + 1
        let n = text.count
        while j < n {
            let d = text[j]
            if d == UInt8(ascii: ",") || d == UInt8(ascii: "}") || d == UInt8(ascii: "]") { break }
            j += 1
        }
        return j
    }

    /// The end (past the closing quote) of the string starting at `i`.
    @inlinable
    public static func skipString(_ text: JSONText, from i: Int) -> Int {
        var j = i + 1
        let n = text.count
        let base = text.bytes.baseAddress!
        #if arch(x86_64)
        // Sixteen bytes at a time, probed inline (most keys and values end within the first).
        while j &+ 16 <= n {
            let mask = flow_json_quote_mask16(base + j)
            if mask == 0 {
                j += 16
                continue
            }
            j += mask.trailingZeroBitCount
            if base[j] == 0x22 { return j + 1 }
            j += 2
        }
        #endif
        while true {
            j += flow_json_find_quote(base + j, n - j)
            guard j < n else { return n }
            let d = base[j]
            if d == 0x22 { return j + 1 }
            j += d == 0x5C ? 2 : 1
        }
    }

    /// Calls `body` with the key range (without quotes, still escaped) and value range of each
    /// member of the object at `range`; stops early when `body` returns false.
    @inlinable
    public static func forEachMember(_ text: JSONText, object range: Range<Int>,
                                     _ body: (_ key: Range<Int>, _ value: Range<Int>) -> Bool) {
        guard range.count > 2, text[range.lowerBound] == UInt8(ascii: "{") else { return }
        var i = range.lowerBound + 1
        while i < range.upperBound - 1 {
            let keyEnd = skipString(text, from: i)
            let valueStart = keyEnd + 1
            let valueEnd = skipValue(text, from: valueStart)
            if !body(i + 1..<keyEnd - 1, valueStart..<valueEnd) { return }
            i = valueEnd + 1
        }
    }

    /// Calls `body` with the range of each element of the array at `range`; stops early when
    /// `body` returns false.
    @inlinable
    public static func forEachElement(_ text: JSONText, array range: Range<Int>,
                                      _ body: (_ element: Range<Int>) -> Bool) {
        guard range.count > 2, text[range.lowerBound] == UInt8(ascii: "[") else { return }
        var i = range.lowerBound + 1
        while i < range.upperBound - 1 {
            // A large element's end was recorded: found without reading the element, whose bytes
            // (an API page's records, validated on another core) the caller is about to read anyway.
            let elementEnd = text.extentEnd(startingAt: i) ?? skipValue(text, from: i)
            if !body(i..<elementEnd) { return }
            i = elementEnd + 1
        }
    }

    /// True when the (escaped) key bytes at `key` spell `name` exactly; keys with escapes are
    /// decoded first.
    public static func key(_ text: JSONText, _ key: Range<Int>, equals name: [UInt8]) -> Bool {
        name.withUnsafeBufferPointer { Self.key(text, key, equals: $0) }
    }

    public static func key(_ text: JSONText, _ key: Range<Int>, equals name: UnsafeBufferPointer<UInt8>) -> Bool {
        if key.count == name.count {
            var same = true
            for k in 0..<name.count where text[key.lowerBound + k] != name[k] {
                same = false
                break
            }
            if same { return true }
        }
        // An escaped key may still spell the name.
        guard text[key].contains(UInt8(ascii: "\\")) else { return false }
        guard case .string(let decoded)? = try? JSONParser.parse(
            UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text.bytes)[(key.lowerBound - 1)..<(key.upperBound + 1)]))
        else { return false }
        return decoded.utf8.elementsEqual(name)
    }

    /// Decodes the string at `range` (quotes included) of a validated, compact document without
    /// building a `String`: `run` gets each stretch written without escapes, `scalar` each escaped
    /// character (a surrogate pair as one scalar). Validation has checked every escape.
    public static func forEachUnescaped(_ text: JSONText, string range: Range<Int>,
                                        run: (UnsafeBufferPointer<UInt8>) -> Void, scalar: (UInt32) -> Void) {
        let base = text.bytes.baseAddress!
        var i = range.lowerBound + 1
        let end = range.upperBound - 1
        func hex4(_ at: Int) -> UInt32 {
            (0..<4).reduce(0) { $0 << 4 | hexDigit(base[at + $1])! }
        }
        while i < end {
            // Inside the quotes the next quote-or-backslash is a backslash, or there is none.
            let j = i + flow_json_find_quote(base + i, end - i)
            if j > i { run(UnsafeBufferPointer(start: base + i, count: j - i)) }
            guard j < end else { return }
            let e = base[j + 1]
            i = j + 2
            switch e {
            case UInt8(ascii: "b"): scalar(0x08)
            case UInt8(ascii: "f"): scalar(0x0C)
            case UInt8(ascii: "n"): scalar(0x0A)
            case UInt8(ascii: "r"): scalar(0x0D)
            case UInt8(ascii: "t"): scalar(0x09)
            case UInt8(ascii: "u"):
                var value = hex4(i)
                i += 4
                if value >= 0xD800 && value < 0xDC00 {
                    // Validation paired it with a low surrogate: `\uDC00`.
                    value = 0x10000 + ((value - 0xD800) << 10) + (hex4(i + 2) - 0xDC00)
                    i += 6
                }
                scalar(value)
            default:
                // `"`, `\\` and `/` stand for themselves.
                scalar(UInt32(e))
            }
        }
    }

    /// The Double the parser reads (`.double`, or `.int` converted) from the number at `range` of a
    /// validated document when it is written without exponent in at most 15 digits, else nil: such
    /// a number's digits are an exact integer below 2^53 and its scale a power of ten up to 10^15,
    /// both exact doubles, so one division rounds correctly (the parser's fast path, without the
    /// parser's per-value work); an integer (`-0` included) is read as an integer, then converted.
    @inline(__always)
    public static func plainDouble(_ text: JSONText, _ range: Range<Int>) -> Double? {
        var i = range.lowerBound
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard range.upperBound - i <= 16 else { return nil }
        var significand: UInt64 = 0
        var scale = -1
        while i < range.upperBound {
            let c = text[i]
            i += 1
            if c == UInt8(ascii: ".") {
                scale = 0
                continue
            }
            let digit = c &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            significand = significand &* 10 &+ UInt64(digit)
            if scale >= 0 { scale += 1 }
        }
        guard scale >= 0 else {
            let integer = Int64(significand)
            return Double(negative ? -integer : integer)
        }
        let value = Double(significand) / JSONParser.Reader.powersOfTen[scale]
        return negative ? -value : value
    }

    /// The value at `range` parsed.
    public static func parse(_ text: JSONText, _ range: Range<Int>) throws(JSONParseError) -> JSON {
        try JSONParser.parse(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text.bytes)[range]))
    }
}

// MARK: - Appending validated text

extension JSONDocuments {
    /// Appends the value at `range` of a validated, compact document as a new document, without
    /// validating it again: its bytes, and the extents of its large containers, rebased. `range`
    /// must be a whole value of `text` (as `JSONScanner.skipValue` and the navigation functions
    /// give them).
    public mutating func append(trusted text: JSONText, range: Range<Int>) {
        appendPart(trusted: text, range: range)
        endDocument()
    }

    /// Adds the value at `range` of a validated, compact document to the document being built,
    /// with the extents inside it. Together with `appendPart(_:)` and `endDocument()` this builds a
    /// document out of pieces (an object whose member values are copied from other documents);
    /// the caller guarantees that the pieces make one compact JSON value.
    public mutating func appendPart(trusted text: JSONText, range: Range<Int>) {
        let position = bytes.count
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text.bytes[range]))
        appendExtents(of: text, range: range, copiedTo: position)
    }

    /// Adds `count` bytes to the document being built, all written by `write` into the room it is
    /// given: one step for a record assembled from many small pieces (each `appendPart` is an
    /// append of its own). Values copied from validated documents this way need their extents
    /// added with `appendExtents(of:range:copiedTo:)`.
    @inlinable
    public mutating func appendPart(count: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Void) {
        let start = storage.count
        // Room made by copying zeros (one memcpy) rather than appending a repeated zero byte by byte.
        if count <= JSONDocuments.zeros.count {
            JSONDocuments.zeros.withUnsafeBufferPointer { storage.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<count])) }
        } else {
            storage.append(contentsOf: repeatElement(0, count: count))
        }
        storage.withUnsafeMutableBufferPointer { write($0.baseAddress! + start) }
    }

    @usableFromInline static let zeros = [UInt8](repeating: 0, count: 4096)

    /// Adds the extents inside the value at `range` of `text`, whose bytes were copied to
    /// `position` in `bytes` (by `appendPart(count:_:)`).
    public mutating func appendExtents(of text: JSONText, range: Range<Int>, copiedTo position: Int) {
        // Extents are sorted by start: the first one inside `range`, then those up to its end.
        // A value smaller than the smallest extent holds none.
        guard range.count >= JSONScanner.extentMinimum else { return }
        let shift = position - documentStart - range.lowerBound
        var low = 0
        var high = text.extents.count / 2
        while low < high {
            let mid = (low + high) / 2
            if text.extents[mid * 2] < range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var k = low * 2
        while k < text.extents.count, text.extents[k] < range.upperBound {
            extents.append(text.extents[k] + shift)
            extents.append(text.extents[k + 1] + shift)
            k += 2
        }
    }

    /// Adds bytes written by the caller (punctuation, a key, a literal) to the document being built.
    public mutating func appendPart(_ text: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: text)
    }

    /// Adds bytes written by the caller to the document being built.
    public mutating func appendPart(_ text: [UInt8]) {
        bytes.append(contentsOf: text)
    }

    /// Adds one byte written by the caller (`{`, `,`) to the document being built.
    public mutating func appendPart(_ byte: UInt8) {
        bytes.append(byte)
    }

    /// Adds the compact text of a value to the document being built.
    public mutating func appendPart(_ value: JSON) {
        value.write(to: &bytes, pretty: false, indent: 0)
    }

    /// Ends the document built with `appendPart`. A document of at least 128 bytes that is an
    /// object or array gets its own extent, as validation would record it.
    public mutating func endDocument() {
        let start = documentStart
        let length = bytes.count - start
        let firstExtent = extentEnds.last ?? 0
        if length >= JSONScanner.extentMinimum, bytes[start] == UInt8(ascii: "{") || bytes[start] == UInt8(ascii: "["),
           extents.count == firstExtent || extents[firstExtent] != 0 {
            if extents.count == firstExtent {
                extents.append(0)
                extents.append(length)
            } else {
                extents.insert(contentsOf: [0, length], at: firstExtent)
            }
        }
        ends.append(bytes.count)
        extentEnds.append(extents.count)
    }

    /// Where the document being built starts in `bytes`.
    var documentStart: Int { ends.last ?? 0 }
}
