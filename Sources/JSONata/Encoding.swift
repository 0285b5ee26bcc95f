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
