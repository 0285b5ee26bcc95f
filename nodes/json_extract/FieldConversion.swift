import FlowCore
import FlowJSON

/// The type a `json_extract` field is converted to (`types:` or a field's `type:`).
enum FieldConversion: String, CaseIterable, Sendable {
    case int
    case double
    case string
    case bool

    /// Why a value could not be converted: `cannot convert string "abc" to double`.
    struct Failure: Error {
        var message: String
    }

    /// Converts `value`; null stays null (a missing value is not a wrong one).
    ///
    /// - int: integers, integral doubles within range, strings holding such a number.
    /// - double: numbers, numeric strings.
    /// - string: any scalar; numbers are written as flow writes them in JSON.
    /// - bool: booleans, the strings `true` and `false`.
    @inline(__always)
    func apply(_ value: JSON) throws(Failure) -> JSON {
        switch (self, value) {
        case (_, .null), (.int, .int), (.double, .double), (.string, .string), (.bool, .bool):
            return value
        case (.int, .double(let d)):
            if let i = Self.exactInt(d) { return .int(i) }
            throw failure(value, reason: d.isFinite && d.rounded() == d ? "out of range" : "not an integer")
        case (.int, .string(let s)):
            if let i = Int(s) { return .int(i) }
            if let d = Self.number(s) {
                if let i = Self.exactInt(d) { return .int(i) }
                throw failure(value, reason: d.rounded() == d ? "out of range" : "not an integer")
            }
            throw failure(value)
        case (.double, .int(let i)):
            return .double(Double(i))
        case (.double, .string(let s)):
            if let d = Self.number(s) { return .double(d) }
            throw failure(value)
        case (.string, .int(let i)):
            return .string(String(i))
        case (.string, .double(let d)):
            return .string(JSON.format(double: d))
        case (.string, .bool(let b)):
            return .string(b ? "true" : "false")
        case (.bool, .string("true")):
            return .bool(true)
        case (.bool, .string("false")):
            return .bool(false)
        default:
            throw failure(value)
        }
    }

    func failure(_ value: JSON, reason: String? = nil) -> Failure {
        var message = "cannot convert \(TextFormat.describe(value)) to \(rawValue)"
        if let reason { message += ": \(reason)" }
        return Failure(message: message)
    }

    /// `d` as an Int when it is integral and representable.
    @inline(__always)
    static func exactInt(_ d: Double) -> Int? {
        guard d.isFinite, d.rounded() == d, d >= -9.223372036854775808e18, d < 9.223372036854775808e18 else { return nil }
        return Int(d)
    }

    /// A string holding a JSON-style decimal number (`12`, `-0.5`, `1e3`, also `+1` and `.5`), as a finite double.
    /// Rejects what `Double(_:)` alone would accept but no data file means: `nan`, `inf`, hex floats, spaces.
    static func number(_ s: String) -> Double? {
        var digits = false
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): break
            default: return nil
            }
        }
        guard digits, let d = Double(s), d.isFinite else { return nil }
        return d
    }
}
