import FlowJSON
import FlowPostgres

/// COPY rows encoded straight from JSON documents kept as bytes, with the same checks as the parsed
/// path (`convert` and `ColumnKind.convert`): each column's member is found by its key, and its text
/// is written as COPY text without building a `JSON` value (or, in COPY's binary format, integers and
/// doubles as numbers, text as it is). Strings are unescaped from JSON and escaped for COPY, numbers
/// are copied as written (`1.50` keeps its scale in a numeric column),
/// objects and arrays are written as their compact text. Where a rule needs the value (a number
/// written with an exponent into an integer column, a string into a numeric one), just that member
/// is parsed and goes through `ColumnKind.convert`. A record the checks reject is parsed whole and
/// converted by `convert`, which throws the parsed path's error.
extension RecordFeed {
    /// The state of encoding documents, taken out of the feed for an input batch (and given back with
    /// `putBack`): as a class's properties, the arrays would be retained, and checked for exclusive
    /// access, at every record and member.
    func takeEncoder() -> DocumentEncoder {
        var taken = DocumentEncoder(columns: [], kinds: [], rejectsExtra: true)
        swap(&taken, &encoder)
        return taken
    }

    func putBack(_ encoder: DocumentEncoder) {
        self.encoder = encoder
    }

    /// The record parsed and converted as the parsed path does: throws its error for a record the
    /// bytes path rejected.
    func convertParsed(_ text: JSONText, index: Int) throws -> [SQLCell] {
        try convert(try JSONScanner.parse(text, 0..<text.count), index: index)
    }
}

/// Encodes documents as COPY rows (see `RecordFeed.takeEncoder()`): the value of each column in the
/// record being encoded, the keys met so far with their column positions, the columns' names as
/// UTF-8 and their kinds.
struct DocumentEncoder {
    var found: [Range<Int>?]
    var keys = JSONKeyTable()
    let names: [[UInt8]]
    let kinds: [ColumnKind]
    /// `extra: error`: a member that is not a column sends the record to the parsed path.
    let rejectsExtra: Bool

    init(columns: [String], kinds: [ColumnKind], rejectsExtra: Bool) {
        found = Array(repeating: nil, count: columns.count)
        names = columns.map { Array($0.utf8) }
        self.kinds = kinds
        self.rejectsExtra = rejectsExtra
    }

    /// Finds the members of the record in `text` that are columns (`found`, the last of a repeated
    /// key). False when the record must take the parsed path: not an object, or a member that is not
    /// a column while `extra` is `error`.
    mutating func locate(_ text: JSONText) -> Bool {
        guard text.count >= 2, text[0] == UInt8(ascii: "{") else { return false }
        // Moved out for the walk, which `keys` does on `self` too.
        var found: [Range<Int>?] = []
        swap(&found, &self.found)
        defer { swap(&found, &self.found) }
        for k in found.indices { found[k] = nil }
        let rejectsExtra = rejectsExtra
        var known = true
        keys.forEachMember(text, object: 0..<text.count, among: names) { _, position, value in
            if position >= 0 {
                found[position] = value
            } else if rejectsExtra {
                known = false
                return false
            }
            return true
        }
        return known
    }

    /// The cell the parsed path makes for the located value of column `position`, for key hashes;
    /// nil when the value does not convert.
    func cell(_ text: JSONText, column position: Int) -> SQLCell? {
        guard let range = found[position] else { return .null }
        if kinds[position] == .integer, let value = Self.plainInteger(text, range) { return .int(value) }
        guard let value = try? JSONScanner.parse(text, range) else { return nil }
        return kinds[position].convert(value, dialect: .postgres)
    }

    /// Encodes the located record as one COPY row. False (with part of the row written) when a value
    /// does not fit its column: the caller discards the row and takes the parsed path for the error.
    func encodeLocated(_ text: JSONText, into rows: inout PostgresCopyBuffer) -> Bool {
        for position in kinds.indices {
            guard let range = found[position] else {
                rows.appendNull()
                continue
            }
            guard encode(text, range, kind: kinds[position], into: &rows) else { return false }
        }
        rows.endRow()
        return true
    }

    @inline(__always)
    private func encode(_ text: JSONText, _ range: Range<Int>, kind: ColumnKind, into rows: inout PostgresCopyBuffer) -> Bool {
        let first = text[range.lowerBound]
        switch first {
        case UInt8(ascii: "n"):
            rows.appendNull()
            return true
        case UInt8(ascii: "\""):
            switch kind {
            case .text, .other:
                if rows.isBinary {
                    rows.appendField { Self.appendUnescapedRaw(text, range, to: &$0) }
                } else {
                    rows.appendField { Self.appendUnescaped(text, range, to: &$0) }
                }
                return true
            case .json:
                rows.appendEscaped(UnsafeBufferPointer(rebasing: text.bytes[range]))
                return true
            default:
                return encodeParsed(text, range, kind: kind, into: &rows)
            }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard kind == .text || kind == .json else { return encodeParsed(text, range, kind: kind, into: &rows) }
            rows.appendEscaped(UnsafeBufferPointer(rebasing: text.bytes[range]))
            return true
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            switch kind {
            case .boolean:
                rows.append(first == UInt8(ascii: "t"))
                return true
            case .text, .other, .json:
                rows.appendField { $0.append(contentsOf: text[range]) }
                return true
            default:
                return encodeParsed(text, range, kind: kind, into: &rows)
            }
        default:
            if rows.isBinary && kind != .text && kind != .json {
                // Binary: an integer column's value as it reads; otherwise (a double) parsed as the parsed
                // path parses it.
                if kind == .integer, let value = Self.plainInteger(text, range) { return rows.append(value) }
                if kind == .double, let value = JSONScanner.plainDouble(text, range) {
                    rows.append(value)
                    return true
                }
                return encodeParsed(text, range, kind: kind, into: &rows)
            }
            // A number: copied as written where the column reads it as the parsed value would be written.
            let copy: Bool
            switch kind {
            case .integer: copy = Self.plainInteger(text, range) != nil
            case .double: copy = Self.isPlainDouble(text, range)
            case .numeric:
                // The parsed path rejects only numbers too large for a Double (infinite).
                copy = range.count <= 300 && !Self.hasExponent(text, range)
                    || (try? JSONScanner.parse(text, range)).flatMap { kind.convert($0, dialect: .postgres) } != nil
            case .text, .other, .json: copy = true
            default: copy = false
            }
            guard copy else { return encodeParsed(text, range, kind: kind, into: &rows) }
            rows.appendField { $0.append(contentsOf: text[range]) }
            return true
        }
    }

    /// Parses the value at `range` and encodes it as the parsed path does; false when it does not
    /// convert for the column.
    private func encodeParsed(_ text: JSONText, _ range: Range<Int>, kind: ColumnKind, into rows: inout PostgresCopyBuffer) -> Bool {
        guard let value = try? JSONScanner.parse(text, range), let cell = kind.convert(value, dialect: .postgres) else { return false }
        return rows.append(cell)
    }

    /// The value of an integer written without fraction or exponent in at most 18 digits (so within
    /// Int64), else nil.
    @inline(__always)
    static func plainInteger(_ text: JSONText, _ range: Range<Int>) -> Int64? {
        var i = range.lowerBound
        let negative = text[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        guard range.upperBound - i <= 18, i < range.upperBound else { return nil }
        var value: Int64 = 0
        while i < range.upperBound {
            let digit = text[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + Int64(digit)
            i += 1
        }
        return negative ? -value : value
    }

    /// A number that PostgreSQL's float8 input reads as the same Double as the parsed path writes:
    /// no exponent (no overflow or underflow to tell apart), not too long, and not `-0` (the parsed
    /// path reads it as the integer 0, float8 as negative zero).
    @inline(__always)
    static func isPlainDouble(_ text: JSONText, _ range: Range<Int>) -> Bool {
        guard range.count <= 30, !hasExponent(text, range) else { return false }
        return !(range.count == 2 && text[range.lowerBound] == UInt8(ascii: "-") && text[range.lowerBound + 1] == UInt8(ascii: "0"))
    }

    @inline(__always)
    static func hasExponent(_ text: JSONText, _ range: Range<Int>) -> Bool {
        for i in range where text[i] | 0x20 == UInt8(ascii: "e") { return true }
        return false
    }

    /// Appends the JSON string at `range` (quotes included) unescaped, for COPY's binary format.
    static func appendUnescapedRaw(_ text: JSONText, _ range: Range<Int>, to out: inout [UInt8]) {
        JSONScanner.forEachUnescaped(text, string: range, run: { out.append(contentsOf: $0) }) { scalar in
            UTF8.encode(Unicode.Scalar(scalar)!) { out.append($0) }
        }
    }

    /// Appends the JSON string at `range` (quotes included) unescaped, then escaped for COPY: a
    /// validated string's unescaped runs hold no backslash or control character, so only escaped
    /// characters need COPY's escapes.
    static func appendUnescaped(_ text: JSONText, _ range: Range<Int>, to out: inout [UInt8]) {
        JSONScanner.forEachUnescaped(text, string: range, run: { out.append(contentsOf: $0) }) { scalar in
            switch scalar {
            case 0x5C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            default: UTF8.encode(Unicode.Scalar(scalar)!) { out.append($0) }
            }
        }
    }
}
