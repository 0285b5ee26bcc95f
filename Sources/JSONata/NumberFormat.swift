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

/// Base64 and URI encoding.
enum Encoding {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func base64Encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i])
            let b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[((b1 & 15) << 2) | (b2 >> 6)] : UInt8(ascii: "="))
            out.append(i + 2 < bytes.count ? alphabet[b2 & 63] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func base64Decode(_ s: String) -> [UInt8] {
        var map = [Int](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { map[Int(c)] = i }
        var out: [UInt8] = []
        var buf = 0, bits = 0
        for c in s.utf8 {
            let v = map[Int(c)]
            if v < 0 { continue }
            buf = (buf << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buf >> bits) & 0xFF))
            }
        }
        return out
    }

    static let componentSafe = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()".utf8)
    static let uriSafe = componentSafe.union(Set(";,/?:@&=+$#".utf8))

    static func encodeURI(_ s: String, keep: Set<UInt8>) throws(JSONataError) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            if scalar.value >= 0xD800 && scalar.value < 0xE000 || scalar == "\u{FFFD}" && s.contains("\u{FFFD}") && false {
                throw JSONataError(code: "D3140", value: .string(s))
            }
            for b in String(scalar).utf8 {
                if keep.contains(b) {
                    out.unicodeScalars.append(Unicode.Scalar(b))
                } else {
                    out += "%" + String(b, radix: 16, uppercase: true).leftPad(2)
                }
            }
        }
        return out
    }

    static func decodeURI(_ s: String, reserved: String) throws(JSONataError) -> String {
        let u = Array(s.utf8)
        var out: [UInt8] = []
        var i = 0
        let reservedSet = Set(reserved.utf8)
        while i < u.count {
            if u[i] == UInt8(ascii: "%") {
                guard i + 2 < u.count, let b = UInt8(String(decoding: u[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) else {
                    throw JSONataError(code: "D3140", value: .string(s))
                }
                if b < 0x80 && reservedSet.contains(b) {
                    out.append(contentsOf: u[i...(i + 2)])
                } else {
                    out.append(b)
                }
                i += 3
            } else {
                out.append(u[i])
                i += 1
            }
        }
        guard let r = String(validating: out, as: UTF8.self) else { throw JSONataError(code: "D3140", value: .string(s)) }
        return r
    }
}

extension String {
    func leftPad(_ n: Int, _ c: Character = "0") -> String {
        count >= n ? self : String(repeating: c, count: n - count) + self
    }
}
