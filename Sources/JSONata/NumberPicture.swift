import FlowJSON
import Foundation

/// Decimal picture strings (XPath F&O 3.1 `format-number`): `$formatNumber`.
enum NumberPicture {
    static func format(_ value: Double, picture: String, options: Value?) throws(JSONataError) -> String {
        var props: [String: String] = [
            "decimal-separator": ".", "grouping-separator": ",", "exponent-separator": "e", "infinity": "Infinity",
            "minus-sign": "-", "NaN": "NaN", "percent": "%", "per-mille": "\u{2030}", "zero-digit": "0", "digit": "#",
            "pattern-separator": ";",
        ]
        if let options { for (k, v) in options.entries { if case .string(let s) = v, !s.isEmpty { props[k] = s } } }
        func ch(_ k: String) -> Character { props[k]?.first ?? " " }
        var zeroCode = ch("zero-digit").unicodeScalars.first!.value
        if Unicode.Scalar(zeroCode + 9) == nil { zeroCode = 0x30 }
        let family: [Character] = (0..<10).map { Character(Unicode.Scalar(zeroCode + UInt32($0)) ?? "0") }
        let decSep = ch("decimal-separator"), groupSep = ch("grouping-separator"), expSep = ch("exponent-separator")
        let digit = ch("digit"), patSep = ch("pattern-separator"), percent = ch("percent"), permille = ch("per-mille")
        let active: Set<Character> = Set(family + [decSep, expSep, groupSep, digit, patSep])

        let subPictures = picture.split(separator: patSep, omittingEmptySubsequences: false).map { Array($0) }
        if subPictures.count > 2 { throw JSONataError(code: "D3080") }

        struct Parts {
            var prefix: [Character], suffix: [Character], active: [Character], mantissa: [Character]
            var exponent: [Character]?, integer: [Character], fractional: [Character], sub: [Character]
        }
        func split(_ sub: [Character]) -> Parts {
            var prefixLen = sub.count
            for (i, c) in sub.enumerated() where active.contains(c) && c != expSep {
                prefixLen = i
                break
            }
            var suffixStart = sub.count
            for i in stride(from: sub.count - 1, through: 0, by: -1) where active.contains(sub[i]) && sub[i] != expSep {
                suffixStart = i + 1
                break
            }
            if prefixLen == sub.count {
                // no active character at all: the whole sub-picture is the active part
                prefixLen = 0
                suffixStart = sub.count
            }
            let prefix = Array(sub[0..<prefixLen])
            let suffix = suffixStart <= sub.count ? Array(sub[suffixStart...]) : []
            let activePart = prefixLen < suffixStart ? Array(sub[prefixLen..<suffixStart]) : []
            var mantissa = activePart
            var exponent: [Character]? = nil
            if let e = sub[prefixLen...].firstIndex(of: expSep), e <= sub.count - suffix.count {
                let rel = e - prefixLen
                if rel <= activePart.count {
                    mantissa = Array(activePart[..<rel])
                    exponent = rel + 1 <= activePart.count ? Array(activePart[(rel + 1)...]) : []
                }
            }
            var integer = mantissa
            var fractional = suffix
            if let d = mantissa.firstIndex(of: decSep) {
                integer = Array(mantissa[..<d])
                fractional = Array(mantissa[(d + 1)...])
            }
            return Parts(prefix: prefix, suffix: suffix, active: activePart, mantissa: mantissa, exponent: exponent,
                integer: integer, fractional: fractional, sub: sub)
        }
        func validate(_ p: Parts) throws(JSONataError) {
            var error: String? = nil
            let sub = p.sub
            if sub.filter({ $0 == decSep }).count > 1 { error = "D3081" }
            if sub.filter({ $0 == percent }).count > 1 { error = "D3082" }
            if sub.filter({ $0 == permille }).count > 1 { error = "D3083" }
            if sub.contains(percent) && sub.contains(permille) { error = "D3084" }
            if !p.mantissa.contains(where: { family.contains($0) || $0 == digit }) { error = "D3085" }
            if p.active.contains(where: { !active.contains($0) }) { error = "D3086" }
            if let d = sub.firstIndex(of: decSep) {
                if (d > 0 && sub[d - 1] == groupSep) || (d + 1 < sub.count && sub[d + 1] == groupSep) { error = "D3087" }
            } else if p.integer.last == groupSep {
                error = "D3088"
            }
            for i in 0..<max(sub.count - 1, 0) where sub[i] == groupSep && sub[i + 1] == groupSep { error = "D3089" }
            if let od = p.integer.firstIndex(of: digit), p.integer[..<od].contains(where: { family.contains($0) }) {
                error = "D3090"
            }
            if let od = p.fractional.lastIndex(of: digit), p.fractional[od...].contains(where: { family.contains($0) }) {
                error = "D3091"
            }
            if let e = p.exponent {
                if !e.isEmpty && (sub.contains(percent) || sub.contains(permille)) { error = "D3092" }
                if e.isEmpty || e.contains(where: { !family.contains($0) }) { error = "D3093" }
            }
            if let error { throw JSONataError(code: error) }
        }
        struct Pic {
            var intGroups: [Int], regular: Int, minInt: Int, scaling: Int, prefix: [Character], fracGroups: [Int]
            var minFrac: Int, maxFrac: Int, minExp: Int, suffix: [Character], sub: [Character]
        }
        func analyse(_ p: Parts) -> Pic {
            func positions(_ part: [Character], toLeft: Bool) -> [Int] {
                var out: [Int] = []
                for (i, c) in part.enumerated() where c == groupSep {
                    let slice = toLeft ? Array(part[..<i]) : Array(part[i...])
                    out.append(slice.filter { family.contains($0) || $0 == digit }.count)
                }
                return out
            }
            let intGroups = positions(p.integer, toLeft: false)
            var regular = 0
            if !intGroups.isEmpty {
                func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
                let factor = intGroups.reduce(intGroups[0]) { gcd($0, $1) }
                regular = factor
                for i in 1...intGroups.count where !intGroups.contains(i * factor) { regular = 0 }
            }
            let fracGroups = positions(p.fractional, toLeft: true)
            var minInt = p.integer.filter { family.contains($0) }.count
            let scaling = minInt
            var minFrac = p.fractional.filter { family.contains($0) }.count
            var maxFrac = p.fractional.filter { family.contains($0) || $0 == digit }.count
            let expPresent = p.exponent != nil
            if minInt == 0 && maxFrac == 0 {
                if expPresent {
                    minFrac = 1
                    maxFrac = 1
                } else {
                    minInt = 1
                }
            }
            if expPresent && minInt == 0 && p.integer.contains(digit) { minInt = 1 }
            if minInt == 0 && minFrac == 0 { minFrac = 1 }
            let minExp = p.exponent?.filter { family.contains($0) }.count ?? 0
            return Pic(intGroups: intGroups, regular: regular, minInt: minInt, scaling: scaling, prefix: p.prefix,
                fracGroups: fracGroups, minFrac: minFrac, maxFrac: maxFrac, minExp: minExp, suffix: p.suffix, sub: p.sub)
        }
        let parts = subPictures.map(split)
        for p in parts { try validate(p) }
        var pics = parts.map(analyse)
        if pics.count == 1 {
            var neg = pics[0]
            neg.prefix = Array(props["minus-sign"]!) + neg.prefix
            pics.append(neg)
        }
        let pic = value >= 0 ? pics[0] : pics[1]
        var adjusted = value
        if pic.sub.contains(percent) { adjusted = value * 100 } else if pic.sub.contains(permille) { adjusted = value * 1000 }
        var mantissa = adjusted
        var exponent: Int? = nil
        if pic.minExp != 0 {
            let maxM = Foundation.pow(10.0, Double(pic.scaling))
            let minM = Foundation.pow(10.0, Double(pic.scaling - 1))
            var e = 0
            if mantissa != 0 {
                while abs(mantissa) < minM {
                    mantissa *= 10
                    e -= 1
                }
                while abs(mantissa) > maxM {
                    mantissa /= 10
                    e += 1
                }
            }
            exponent = e
        }
        let rounded = Builtins.round(mantissa, pic.maxFrac)
        func makeString(_ v: Double, _ dp: Int) -> [Character] {
            var s = String(format: "%.\(dp)f", abs(v))
            if zeroCode != 0x30 {
                s = String(s.map { c -> Character in
                    if let d = c.wholeNumberValue, c.isASCII { return family[d] }
                    return c
                })
            }
            return Array(s)
        }
        var sv = makeString(rounded, pic.maxFrac)
        if let d = sv.firstIndex(of: ".") { sv[d] = decSep } else { sv.append(decSep) }
        let zero = family[0]
        while sv.first == zero { sv.removeFirst() }
        while sv.last == zero { sv.removeLast() }
        var decPos = sv.firstIndex(of: decSep)!
        let padLeft = pic.minInt - decPos
        let padRight = pic.minFrac - (sv.count - decPos - 1)
        if padLeft > 0 { sv = Array(repeating: zero, count: padLeft) + sv }
        if padRight > 0 { sv += Array(repeating: zero, count: padRight) }
        decPos = sv.firstIndex(of: decSep)!
        if pic.regular > 0 {
            let groupCount = (decPos - 1) / pic.regular
            if groupCount >= 1 {
                for g in 1...groupCount { sv.insert(groupSep, at: decPos - g * pic.regular) }
            }
        } else {
            for pos in pic.intGroups {
                sv.insert(groupSep, at: decPos - pos)
                decPos += 1
            }
        }
        decPos = sv.firstIndex(of: decSep)!
        for pos in pic.fracGroups where pos + decPos + 1 <= sv.count { sv.insert(groupSep, at: pos + decPos + 1) }
        decPos = sv.firstIndex(of: decSep)!
        if pic.maxFrac == 0 || decPos == sv.count - 1 {
            if decPos == sv.count - 1 { sv.removeLast() }
        }
        if let exponent {
            var se = makeString(Double(exponent), 0)
            if se.count < pic.minExp { se = Array(repeating: zero, count: pic.minExp - se.count) + se }
            sv += [expSep] + (exponent < 0 ? Array(props["minus-sign"]!) : []) + se
        }
        return String(pic.prefix + sv + pic.suffix)
    }
}
