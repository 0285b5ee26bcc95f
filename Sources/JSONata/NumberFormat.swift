import Foundation

/// JavaScript-compatible number text: `Number.prototype.toString` after rounding to 15 significant digits.
enum NumberFormat {
    /// Shortest round-trip decimal digits of |d| and the exponent `n` with |d| = 0.digits × 10^n.
    static func decimalDigits(_ d: Double) -> (digits: [UInt8], n: Int) {
        let text = abs(d).description
        var mantissa = Substring(text)
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exp10 = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
        }
        var intPart = mantissa
        var frac: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = mantissa[..<dot]
            frac = mantissa[mantissa.index(after: dot)...]
        }
        var digits = Array(intPart.utf8).map { $0 - 48 } + Array(frac.utf8).map { $0 - 48 }
        var n = intPart.count + exp10
        var lead = 0
        while lead < digits.count && digits[lead] == 0 { lead += 1 }
        digits.removeFirst(lead)
        n -= lead
        while let last = digits.last, last == 0 { digits.removeLast() }
        return (digits, n)
    }

    static func jsString(_ d: Double, precision15: Bool) -> String {
        if d == 0 { return "0" }
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d.rounded() == d && abs(d) < 9_007_199_254_740_992 { return String(Int(d)) }
        var (digits, n) = decimalDigits(d)
        if precision15 && digits.count > 15 {
            var kept = Array(digits.prefix(15))
            if digits[15] >= 5 {
                var i = 14
                while i >= 0 {
                    if kept[i] == 9 {
                        kept[i] = 0
                        i -= 1
                    } else {
                        kept[i] += 1
                        break
                    }
                }
                if i < 0 {
                    kept.insert(1, at: 0)
                    kept.removeLast()
                    n += 1
                }
            }
            while let last = kept.last, last == 0 { kept.removeLast() }
            digits = kept
        }
        return format(digits: digits, n: n, negative: d < 0)
    }

    static func format(digits: [UInt8], n: Int, negative: Bool) -> String {
        let k = digits.count
        let ds = String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
        var s: String
        if k <= n && n <= 21 {
            s = ds + String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            let idx = ds.index(ds.startIndex, offsetBy: n)
            s = ds[..<idx] + "." + ds[idx...]
        } else if -6 < n && n <= 0 {
            s = "0." + String(repeating: "0", count: -n) + ds
        } else {
            let e = n - 1
            let sign = e < 0 ? "-" : "+"
            if k == 1 {
                s = ds + "e" + sign + String(abs(e))
            } else {
                s = String(ds.prefix(1)) + "." + String(ds.dropFirst()) + "e" + sign + String(abs(e))
            }
        }
        return negative ? "-" + s : s
    }

    /// `+(mantissa + "e" + (exp + by))` of the JavaScript text of `d`.
    static func shift(_ d: Double, _ by: Int) -> Double {
        if d == 0 || !d.isFinite { return d }
        let (digits, n) = decimalDigits(d)
        // value = 0.digits × 10^n  →  digits × 10^(n - k)
        let ds = String(decoding: digits.map { $0 + 48 }, as: UTF8.self)
        let text = (d < 0 ? "-" : "") + ds + "e" + String(n - digits.count + by)
        return Double(text) ?? d
    }

    static func pow(_ b: Double, _ e: Double) -> Double { Foundation.pow(b, e) }

    static func parseJSNumber(_ s: String) -> Double? {
        let u = Array(s.utf8)
        if u.count > 2 && u[0] == 48 {
            let radix: Int?
            switch u[1] {
            case UInt8(ascii: "x"), UInt8(ascii: "X"): radix = 16
            case UInt8(ascii: "o"), UInt8(ascii: "O"): radix = 8
            case UInt8(ascii: "b"), UInt8(ascii: "B"): radix = 2
            default: radix = nil
            }
            if let radix {
                return Int(String(s.dropFirst(2)), radix: radix).map { Double($0) }
            }
        }
        var i = 0
        func digits() -> Bool {
            let start = i
            while i < u.count && u[i] >= 48 && u[i] <= 57 { i += 1 }
            return i > start
        }
        if i < u.count && u[i] == UInt8(ascii: "-") { i += 1 }
        guard digits() else { return nil }
        if i < u.count && u[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() else { return nil }
        }
        if i < u.count && (u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E")) {
            i += 1
            if i < u.count && (u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() else { return nil }
        }
        guard i == u.count, let d = Double(s), d.isFinite else { return nil }
        return d
    }
}
