import FlowJSON
import Foundation

// Picture-string formatting (XPath F&O 3.1 as implemented by jsonata-js): $formatInteger, $parseInteger,
// $formatNumber, $fromMillis, $toMillis.

enum IntegerPicture {
    enum Primary { case decimal, letters, roman, words, sequence }
    enum Case { case upper, lower, title }

    struct Format {
        var primary: Primary = .decimal
        var caseType: Case = .lower
        var ordinal = false
        var zeroCode: UInt32 = 0x30
        var mandatoryDigits = 0
        var optionalDigits = 0
        var regular = false
        var separators: [(position: Int, character: Character)] = []
        var token = ""
    }

    static let decimalGroups: [UInt32] = [
        0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6,
        0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90, 0x1B50, 0x1BB0, 0x1C40,
        0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    ]

    static let few = [
        "Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve",
        "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen", "Nineteen",
    ]
    static let ordinals = [
        "Zeroth", "First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth", "Ninth", "Tenth",
        "Eleventh", "Twelfth", "Thirteenth", "Fourteenth", "Fifteenth", "Sixteenth", "Seventeenth", "Eighteenth",
        "Nineteenth",
    ]
    static let decades = ["Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred"]
    static let magnitudes = ["Thousand", "Million", "Billion", "Trillion"]

    static let wordValues: [String: Int] = {
        var w: [String: Int] = [:]
        for (i, s) in few.enumerated() { w[s.lowercased()] = i }
        for (i, s) in ordinals.enumerated() { w[s.lowercased()] = i }
        for (i, s) in decades.enumerated() {
            let l = s.lowercased()
            w[l] = (i + 2) * 10
            w[String(l.dropLast()) + "ieth"] = (i + 2) * 10
        }
        w["hundredth"] = 100
        w["hundreth"] = 100
        for (i, s) in magnitudes.enumerated() {
            let l = s.lowercased()
            var v = 1
            for _ in 0..<((i + 1) * 3) { v *= 10 }
            w[l] = v
            w[l + "th"] = v
        }
        return w
    }()

    static func words(_ num: Int, _ prev: Bool, _ ordinal: Bool) -> String {
        var words: String
        if num <= 19 {
            words = (prev ? " and " : "") + (ordinal ? ordinals[num] : few[num])
        } else if num < 100 {
            let tens = num / 10, rem = num % 10
            words = (prev ? " and " : "") + decades[tens - 2]
            if rem > 0 {
                words += "-" + IntegerPicture.words(rem, false, ordinal)
            } else if ordinal {
                words = String(words.dropLast()) + "ieth"
            }
        } else if num < 1000 {
            let hundreds = num / 100, rem = num % 100
            words = (prev ? ", " : "") + few[hundreds] + " Hundred"
            if rem > 0 {
                words += IntegerPicture.words(rem, true, ordinal)
            } else if ordinal {
                words += "th"
            }
        } else {
            var mag = 0
            var t = num
            while t >= 1000 {
                t /= 1000
                mag += 1
            }
            if mag > magnitudes.count { mag = magnitudes.count }
            var factor = 1
            for _ in 0..<(mag * 3) { factor *= 10 }
            let mant = num / factor
            let rem = num - mant * factor
            words = (prev ? ", " : "") + IntegerPicture.words(mant, false, false) + " " + magnitudes[mag - 1]
            if rem > 0 {
                words += IntegerPicture.words(rem, true, ordinal)
            } else if ordinal {
                words += "th"
            }
        }
        return words
    }

    static func bigWords(_ num: Double, _ prev: Bool, _ ordinal: Bool) -> String {
        if num < 1e15 { return words(Int(num), prev, ordinal) }
        var mag = Int((Foundation.log10(num) / 3).rounded(.down))
        if mag > magnitudes.count { mag = magnitudes.count }
        let factor = Foundation.pow(10.0, Double(mag * 3))
        let mant = (num / factor).rounded(.down)
        let rem = num - mant * factor
        var w = (prev ? ", " : "") + bigWords(mant, false, false) + " " + magnitudes[mag - 1]
        if rem > 0 { w += bigWords(rem, true, ordinal) } else if ordinal { w += "th" }
        return w
    }

    static func wordsToNumber(_ text: String) -> Int? {
        // split on ", ", " and ", whitespace or "-"
        let normalized = text.replacingOccurrences(of: ", ", with: " ").replacingOccurrences(of: " and ", with: " ")
        let parts = normalized.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "\t" }).map(String.init)
        var segs: [Int] = [0]
        for p in parts {
            guard let value = wordValues[p] else { return nil }
            if value < 100 {
                var top = segs.removeLast()
                if top >= 1000 {
                    segs.append(top)
                    top = 0
                }
                segs.append(top + value)
            } else {
                segs.append(segs.removeLast() * value)
            }
        }
        return segs.reduce(0, +)
    }

    static let romanNumerals: [(Int, String)] = [
        (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"),
        (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
    ]

    static func toRoman(_ v: Int) -> String {
        var value = v
        var out = ""
        for (n, l) in romanNumerals {
            while value >= n {
                out += l
                value -= n
            }
        }
        return out
    }

    static func fromRoman(_ s: String) -> Int {
        let values: [Character: Int] = ["M": 1000, "D": 500, "C": 100, "L": 50, "X": 10, "V": 5, "I": 1]
        var decimal = 0
        var maxV = 1
        for c in s.uppercased().reversed() {
            let v = values[c] ?? 0
            if v < maxV { decimal -= v } else {
                maxV = v
                decimal += v
            }
        }
        return decimal
    }

    static func toLetters(_ v: Int, _ a: Character) -> String {
        var value = v
        var letters: [Character] = []
        let base = a.unicodeScalars.first!.value
        while value > 0 {
            letters.insert(Character(Unicode.Scalar(base + UInt32((value - 1) % 26))!), at: 0)
            value = (value - 1) / 26
        }
        return String(letters)
    }

    static func fromLetters(_ s: String, _ a: Character) -> Int {
        let base = Int(a.unicodeScalars.first!.value)
        var decimal = 0
        for c in s.unicodeScalars { decimal = decimal * 26 + (Int(c.value) - base + 1) }
        return decimal
    }

    static func regularRepeat(_ seps: [(position: Int, character: Character)]) -> Int {
        guard let first = seps.first else { return 0 }
        if seps.contains(where: { $0.character != first.character }) { return 0 }
        let idx = seps.map { $0.position }
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let factor = idx.reduce(0) { gcd($0, $1) }
        if factor == 0 { return 0 }
        for i in 1...idx.count where !idx.contains(i * factor) { return 0 }
        return factor
    }

    static func analyse(_ picture: String) throws(JSONataError) -> Format {
        var format = Format()
        var primary = picture
        if let semi = picture.lastIndex(of: ";") {
            primary = String(picture[..<semi])
            let modifier = picture[picture.index(after: semi)...]
            if modifier.first == "o" { format.ordinal = true }
        }
        switch primary {
        case "A":
            format.caseType = .upper
            format.primary = .letters
        case "a": format.primary = .letters
        case "I":
            format.caseType = .upper
            format.primary = .roman
        case "i": format.primary = .roman
        case "W":
            format.caseType = .upper
            format.primary = .words
        case "Ww":
            format.caseType = .title
            format.primary = .words
        case "w": format.primary = .words
        default:
            var zero: UInt32? = nil
            var mandatory = 0, optional = 0, sepPos = 0
            var seps: [(position: Int, character: Character)] = []
            for ch in primary.reversed() {
                let cp = ch.unicodeScalars.first!.value
                var digit = false
                for g in decimalGroups where cp >= g && cp <= g + 9 {
                    digit = true
                    mandatory += 1
                    sepPos += 1
                    if zero == nil { zero = g } else if zero != g { throw JSONataError(code: "D3131") }
                    break
                }
                if !digit {
                    if ch == "#" {
                        sepPos += 1
                        optional += 1
                    } else {
                        seps.append((sepPos, ch))
                    }
                }
            }
            if mandatory > 0 {
                format.primary = .decimal
                format.zeroCode = zero!
                format.mandatoryDigits = mandatory
                format.optionalDigits = optional
                let r = regularRepeat(seps)
                if r > 0 {
                    format.regular = true
                    format.separators = [(r, seps[0].character)]
                } else {
                    format.separators = seps
                }
            } else {
                format.primary = .sequence
                format.token = primary
            }
        }
        return format
    }

    static func format(_ n: Double, picture: String) throws(JSONataError) -> String {
        let f = try analyse(picture)
        let v = n.rounded(.down)
        if f.primary == .words && abs(v) >= 1e15 {
            let w = bigWords(abs(v), false, f.ordinal)
            var out = f.caseType == .upper ? w.uppercased() : f.caseType == .lower ? w.lowercased() : w
            if v < 0 { out = "-" + out }
            return out
        }
        return try format(v.clampedInt, f)
    }

    static func format(_ v: Int, _ format: Format) throws(JSONataError) -> String {
        var out: String
        let negative = v < 0
        let value = abs(v)
        switch format.primary {
        case .letters:
            out = toLetters(value, format.caseType == .upper ? "A" : "a")
        case .roman:
            out = toRoman(value)
            if format.caseType == .upper { out = out.uppercased() }
        case .words:
            out = words(value, false, format.ordinal)
            if format.caseType == .upper { out = out.uppercased() } else if format.caseType == .lower { out = out.lowercased() }
        case .decimal:
            out = String(value)
            if out.count < format.mandatoryDigits { out = out.leftPad(format.mandatoryDigits) }
            if format.zeroCode != 0x30 {
                out = String(String.UnicodeScalarView(out.unicodeScalars.map { Unicode.Scalar($0.value + format.zeroCode - 0x30)! }))
            }
            var chars = Array(out)
            if format.regular {
                let step = format.separators[0].position
                let n = (chars.count - 1) / step
                var i = n
                while i > 0 {
                    let pos = chars.count - i * step
                    chars.insert(format.separators[0].character, at: pos)
                    i -= 1
                }
            } else {
                for sep in format.separators.reversed() {
                    let pos = chars.count - sep.position
                    if pos >= 0 { chars.insert(sep.character, at: pos) }
                }
            }
            out = String(chars)
            if format.ordinal {
                let last = out.last
                var suffix = "th"
                switch last {
                case "1": suffix = "st"
                case "2": suffix = "nd"
                case "3": suffix = "rd"
                default: break
                }
                if chars.count > 1 && chars[chars.count - 2] == "1" { suffix = "th" }
                out += suffix
            }
        case .sequence:
            throw JSONataError(code: "D3130", value: .string(format.token))
        }
        return negative ? "-" + out : out
    }

    /// A regex fragment and parser for one integer component.
    struct Matcher {
        var regex: String
        var parse: (String) -> Int?
    }

    static func matcher(component: Character?, _ format: Format) throws(JSONataError) -> Matcher {
        let upper = format.caseType == .upper
        switch format.primary {
        case .letters:
            return Matcher(regex: upper ? "[A-Z]+" : "[a-z]+") { fromLetters($0, upper ? "A" : "a") }
        case .roman:
            return Matcher(regex: upper ? "[MDCLXVI]+" : "[mdclxvi]+") { fromRoman($0) }
        case .words:
            let words = wordValues.keys.sorted { $0.count > $1.count } + ["and"]
            return Matcher(regex: "(?:" + words.joined(separator: "|") + "|[\\-, ])+") { wordsToNumber($0.lowercased()) }
        case .decimal:
            var regex = "[0-9]+"
            switch component {
            case "Y": regex = "[0-9]{2,4}"
            case "M", "D", "H", "h", "m", "s": regex = "[0-9]{1,2}"
            default: break
            }
            if format.ordinal { regex += "(?:th|st|nd|rd)" }
            return Matcher(regex: regex) { value in
                var digits = value
                if format.ordinal { digits = String(digits.dropLast(2)) }
                if format.regular {
                    digits = digits.replacingOccurrences(of: ",", with: "")
                } else {
                    for s in format.separators { digits = digits.replacingOccurrences(of: String(s.character), with: "") }
                }
                if format.zeroCode != 0x30 {
                    digits = String(String.UnicodeScalarView(digits.unicodeScalars.map { $0.value >= format.zeroCode ? Unicode.Scalar($0.value - format.zeroCode + 0x30) ?? $0 : $0 }))
                }
                return Int(digits)
            }
        case .sequence:
            throw JSONataError(code: "D3130", value: .string(format.token))
        }
    }

    static func parse(_ s: String, picture: String) throws(JSONataError) -> Double? {
        let f = try analyse(picture)
        let m = try matcher(component: nil, f)
        return m.parse(s).map { Double($0) }
    }
}

// MARK: - $formatNumber

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

// MARK: - date/time

enum DateTimeFormat {
    static let days = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]
    static let defaultPresentation: [Character: String] = [
        "Y": "1", "M": "1", "D": "1", "d": "1", "F": "n", "W": "1", "w": "1", "X": "1", "x": "1", "H": "1", "h": "1",
        "P": "n", "m": "01", "s": "01", "f": "1", "Z": "01:01", "z": "01:01", "C": "n", "E": "n",
    ]

    struct Spec {
        var literal: String?
        var component: Character = " "
        var width: (Int?, Int?)? = nil
        var presentation1: String = ""
        var presentation2: Character? = nil
        var ordinal = false
        var names: IntegerPicture.Case? = nil
        var integerFormat: IntegerPicture.Format? = nil
        var n = 0
    }

    static func analyse(_ picture: String) throws(JSONataError) -> [Spec] {
        var parts: [Spec] = []
        let p = Array(picture)
        var start = 0, pos = 0
        func addLiteral(_ s: Int, _ e: Int) {
            if e > s {
                var lit = String(p[s..<e])
                lit = lit == "]]" ? "]" : lit.replacingOccurrences(of: "]]", with: "]")
                parts.append(Spec(literal: lit))
            }
        }
        while pos < p.count {
            if p[pos] == "[" {
                if pos + 1 < p.count && p[pos + 1] == "[" {
                    addLiteral(start, pos)
                    parts.append(Spec(literal: "["))
                    pos += 2
                    start = pos
                    continue
                }
                addLiteral(start, pos)
                start = pos
                guard let close = p[start...].firstIndex(of: "]") else { throw JSONataError(code: "D3135") }
                pos = close
                let marker = String(p[(start + 1)..<pos].filter { !$0.isWhitespace })
                var spec = Spec()
                guard let comp = marker.first else { throw JSONataError(code: "D3132", value: .string("")) }
                spec.component = comp
                var presMod: String
                if let comma = marker.lastIndex(of: ",") {
                    let widthMod = marker[marker.index(after: comma)...]
                    func pw(_ s: Substring?) -> Int? {
                        guard let s, s != "*" else { return nil }
                        return Int(s)
                    }
                    if let dash = widthMod.firstIndex(of: "-") {
                        spec.width = (pw(widthMod[..<dash]), pw(widthMod[widthMod.index(after: dash)...]))
                    } else {
                        spec.width = (pw(widthMod), nil)
                    }
                    presMod = String(marker[marker.index(after: marker.startIndex)..<comma])
                } else {
                    presMod = String(marker.dropFirst())
                }
                if presMod.count == 1 {
                    spec.presentation1 = presMod
                } else if presMod.count > 1 {
                    let last = presMod.last!
                    if "atco".contains(last) {
                        spec.presentation2 = last
                        if last == "o" { spec.ordinal = true }
                        spec.presentation1 = String(presMod.dropLast())
                    } else {
                        spec.presentation1 = presMod
                    }
                } else {
                    guard let d = defaultPresentation[comp] else {
                        throw JSONataError(code: "D3132", value: .string(String(comp)))
                    }
                    spec.presentation1 = d
                }
                if defaultPresentation[comp] == nil {
                    throw JSONataError(code: "D3132", value: .string(String(comp)))
                }
                let p1 = Array(spec.presentation1)
                if p1.first == "n" {
                    spec.names = .lower
                } else if p1.first == "N" {
                    spec.names = p1.count > 1 && p1[1] == "n" ? .title : .upper
                } else if "YMDdFWwXxHhmsf".contains(comp) {
                    var ip = spec.presentation1
                    if let p2 = spec.presentation2 { ip += ";" + String(p2) }
                    var f = try IntegerPicture.analyse(ip)
                    f.ordinal = spec.ordinal
                    if let w = spec.width, let mn = w.0, f.mandatoryDigits < mn { f.mandatoryDigits = mn }
                    if comp == "Y" {
                        spec.n = -1
                        if let w = spec.width, let mx = w.1 {
                            spec.n = mx
                            f.mandatoryDigits = mx
                        } else {
                            let w = f.mandatoryDigits + f.optionalDigits
                            if w >= 2 { spec.n = w }
                        }
                    }
                    spec.integerFormat = f
                }
                if comp == "Z" || comp == "z" {
                    var f = try IntegerPicture.analyse(spec.presentation1)
                    f.ordinal = spec.ordinal
                    spec.integerFormat = f
                }
                parts.append(spec)
                start = pos + 1
            }
            pos += 1
        }
        addLiteral(start, pos)
        return parts
    }

    // civil calendar helpers (proleptic Gregorian, days since 1970-01-01)
    static func civil(fromDays z0: Int) -> (y: Int, m: Int, d: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func days(fromCivil y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func isoWeekday(_ days: Int) -> Int {
        // 1970-01-01 was a Thursday (4)
        let w = ((days % 7) + 7 + 3) % 7
        return w + 1
    }

    static func startOfFirstWeek(_ y: Int, _ m: Int) -> Int {
        let first = days(fromCivil: y, m, 1)
        let dow = isoWeekday(first)
        return dow > 4 ? first + (8 - dow) : first - (dow - 1)
    }

    static func nextMonth(_ y: Int, _ m: Int) -> (Int, Int) { m == 12 ? (y + 1, 1) : (y, m + 1) }
    static func prevMonth(_ y: Int, _ m: Int) -> (Int, Int) { m == 1 ? (y - 1, 12) : (y, m - 1) }

    struct DT {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, millis: Int, dayNumber: Int
    }

    static func fragment(_ dt: DT, _ c: Character) -> Int {
        switch c {
        case "Y": return dt.year
        case "M": return dt.month
        case "D": return dt.day
        case "d": return dt.dayNumber - days(fromCivil: dt.year, 1, 1) + 1
        case "F": return isoWeekday(dt.dayNumber)
        case "W":
            let y = isoYear(dt)
            return (dt.dayNumber - startOfFirstWeek(y, 1)) / 7 + 1
        case "w":
            let start = startOfFirstWeek(dt.year, dt.month)
            var week = (dt.dayNumber - start) / 7 + 1
            if dt.dayNumber < start { week = 0 }
            if week > 4 {
                let (ny, nm) = nextMonth(dt.year, dt.month)
                if dt.dayNumber >= startOfFirstWeek(ny, nm) { week = 1 }
            } else if week < 1 {
                let (py, pm) = prevMonth(dt.year, dt.month)
                week = (dt.dayNumber - startOfFirstWeek(py, pm)) / 7 + 1
            }
            return week
        case "X": return isoYear(dt)
        case "x":
            let start = startOfFirstWeek(dt.year, dt.month)
            let (ny, nm) = nextMonth(dt.year, dt.month)
            if dt.dayNumber < start { return prevMonth(dt.year, dt.month).1 }
            if dt.dayNumber >= startOfFirstWeek(ny, nm) { return nm }
            return dt.month
        case "H": return dt.hour
        case "h":
            var h = dt.hour
            if h > 12 { h -= 12 } else if h == 0 { h = 12 }
            return h
        case "P": return dt.hour < 12 ? 0 : 1
        case "m": return dt.minute
        case "s": return dt.second
        case "f": return dt.millis
        default: return 0
        }
    }

    static func isoYear(_ dt: DT) -> Int {
        let start = startOfFirstWeek(dt.year, 1)
        let end = startOfFirstWeek(dt.year + 1, 1)
        if dt.dayNumber < start { return dt.year - 1 }
        if dt.dayNumber >= end { return dt.year + 1 }
        return dt.year
    }

    static func dateTime(millis: Int64) -> DT {
        var dayNumber = Int(millis / 86_400_000)
        var rem = Int(millis % 86_400_000)
        if rem < 0 {
            rem += 86_400_000
            dayNumber -= 1
        }
        let (y, m, d) = civil(fromDays: dayNumber)
        return DT(
            year: y, month: m, day: d, hour: rem / 3_600_000, minute: (rem / 60_000) % 60, second: (rem / 1000) % 60,
            millis: rem % 1000, dayNumber: dayNumber)
    }

    static func format(millis: Int64, picture: String?, timezone: String?) throws(JSONataError) -> String {
        var offHours = 0, offMinutes = 0
        if let tz = timezone, let off = Int(tz), abs(off) <= 100_000 {
            offHours = off / 100
            offMinutes = off % 100
        }
        let spec = try analyse(picture ?? "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]")
        let dt = dateTime(millis: millis + Int64((60 * offHours + offMinutes) * 60_000))
        var out = ""
        for part in spec {
            if let lit = part.literal {
                out += lit
                continue
            }
            out += try formatComponent(dt, part, offHours, offMinutes)
        }
        return out
    }

    static func formatComponent(_ dt: DT, _ spec: Spec, _ offHours: Int, _ offMinutes: Int) throws(JSONataError) -> String {
        let c = spec.component
        var value = fragment(dt, c)
        if "YMDdFWwXxHhms".contains(c) {
            if c == "Y" && spec.n != -1 {
                var m = 1
                for _ in 0..<spec.n { m *= 10 }
                value = value % m
            }
            if let names = spec.names {
                var s: String
                if c == "M" || c == "x" {
                    s = months[value - 1]
                } else if c == "F" {
                    s = days[value]
                } else {
                    throw JSONataError(code: "D3133", value: .string(String(c)))
                }
                if names == .upper { s = s.uppercased() } else if names == .lower { s = s.lowercased() }
                if let w = spec.width, let mx = w.1, s.count > mx { s = String(s.prefix(mx)) }
                return s
            }
            return try IntegerPicture.format(value, spec.integerFormat!)
        }
        switch c {
        case "f":
            return try IntegerPicture.format(value, spec.integerFormat!)
        case "Z", "z":
            let offset = offHours * 100 + offMinutes
            var s: String
            let f = spec.integerFormat!
            if f.regular {
                s = try IntegerPicture.format(offset, f)
            } else {
                let nd = f.mandatoryDigits
                if nd == 1 || nd == 2 {
                    s = try IntegerPicture.format(offHours, f)
                    if offMinutes != 0 { s += ":" + String(abs(offMinutes)).leftPad(2) }
                } else if nd == 3 || nd == 4 {
                    s = try IntegerPicture.format(offset, f)
                } else {
                    throw JSONataError(code: "D3134", value: .int(nd))
                }
            }
            if offset >= 0 { s = "+" + s }
            if c == "z" { s = "GMT" + s }
            if offset == 0 && spec.presentation2 == "t" { s = "Z" }
            return s
        case "P":
            return spec.names == .upper ? (dt.hour < 12 ? "AM" : "PM") : (dt.hour < 12 ? "am" : "pm")
        case "C", "E":
            return "ISO"
        default:
            return ""
        }
    }

    static func parseISO(_ s: String) throws(JSONataError) -> Int64 {
        let pattern = "^(\\d{4})(?:-([01]\\d))?(?:-([0-3]\\d))?(?:T([0-2]\\d):([0-5]\\d):([0-5]\\d))?(\\.\\d+)?([+-][0-2]\\d:?[0-5]\\d|Z)?$"
        let re = try! NSRegularExpression(pattern: pattern)
        let ns = s as NSString
        guard let m = re.firstMatch(in: s, range: NSRange(location: 0, length: ns.length)) else {
            throw JSONataError(code: "D3110", value: .string(s))
        }
        func g(_ i: Int) -> String? {
            let r = m.range(at: i)
            return r.location == NSNotFound ? nil : ns.substring(with: r)
        }
        let y = Int(g(1)!)!, mo = Int(g(2) ?? "1")!, d = Int(g(3) ?? "1")!
        let h = Int(g(4) ?? "0")!, mi = Int(g(5) ?? "0")!, sec = Int(g(6) ?? "0")!
        var ms = 0
        if let f = g(7) {
            let digits = String(f.dropFirst().prefix(3)).padding(toLength: 3, withPad: "0", startingAt: 0)
            ms = Int(digits)!
        }
        var total = Int64(days(fromCivil: y, mo, d)) * 86_400_000 + Int64(h * 3_600_000 + mi * 60_000 + sec * 1000 + ms)
        if let tz = g(8), tz != "Z" {
            let sign = tz.hasPrefix("-") ? -1 : 1
            let digits = tz.dropFirst().replacingOccurrences(of: ":", with: "")
            let hh = Int(digits.prefix(2))!, mm = Int(digits.dropFirst(2))!
            total -= Int64(sign * (hh * 60 + mm) * 60_000)
        }
        return total
    }

    static func parse(_ timestamp: String, picture: String) throws(JSONataError) -> Int64? {
        let spec = try analyse(picture)
        var regexParts: [String] = []
        var parsers: [(Character?, (String) -> Int?)] = []
        for part in spec {
            if let lit = part.literal {
                regexParts.append(NSRegularExpression.escapedPattern(for: lit))
                parsers.append((nil, { _ in nil }))
            } else if part.component == "Z" || part.component == "z" {
                let f = part.integerFormat!
                let separator = f.separators.count == 1 && f.regular
                var regex = part.component == "z" ? "GMT" : ""
                regex += "[-+][0-9]+"
                if separator { regex += NSRegularExpression.escapedPattern(for: String(f.separators[0].character)) + "[0-9]+" }
                let comp = part.component
                parsers.append((part.component, { v in
                    var value = v
                    if comp == "z" { value = String(value.dropFirst(3)) }
                    var hours = 0, minutes = 0
                    if separator, let i = value.firstIndex(of: f.separators[0].character) {
                        hours = Int(value[..<i]) ?? 0
                        minutes = Int(value[value.index(after: i)...]) ?? 0
                    } else {
                        let nd = value.count - 1
                        if nd <= 2 {
                            hours = Int(value) ?? 0
                        } else {
                            hours = Int(value.prefix(3)) ?? 0
                            minutes = Int(value.dropFirst(3)) ?? 0
                        }
                    }
                    return hours * 60 + (hours < 0 || value.hasPrefix("-") ? -minutes : minutes)
                }))
                regexParts.append(regex)
            } else if let f = part.integerFormat {
                let m = try IntegerPicture.matcher(component: part.component, f)
                regexParts.append(m.regex)
                parsers.append((part.component, m.parse))
            } else {
                var lookup: [String: Int] = [:]
                let c = part.component
                if c == "M" || c == "x" {
                    for (i, name) in months.enumerated() {
                        let key = part.width?.1.map { String(name.prefix($0)) } ?? name
                        lookup[key.lowercased()] = i + 1
                    }
                } else if c == "F" {
                    for i in 1..<days.count {
                        let key = part.width?.1.map { String(days[i].prefix($0)) } ?? days[i]
                        lookup[key.lowercased()] = i
                    }
                } else if c == "P" {
                    lookup = ["am": 0, "pm": 1]
                } else {
                    throw JSONataError(code: "D3133", value: .string(String(c)))
                }
                regexParts.append("[a-zA-Z]+")
                parsers.append((c, { lookup[$0.lowercased()] }))
            }
        }
        let full = "^" + regexParts.map { "(" + $0 + ")" }.joined() + "$"
        guard let re = try? NSRegularExpression(pattern: full, options: [.caseInsensitive]) else { return nil }
        let ns = timestamp as NSString
        guard let m = re.firstMatch(in: timestamp, range: NSRange(location: 0, length: ns.length)) else { return nil }
        var components: [Character: Int] = [:]
        for (i, (comp, parse)) in parsers.enumerated() {
            guard let comp else { continue }
            let r = m.range(at: i + 1)
            guard r.location != NSNotFound else { continue }
            var text = ns.substring(with: r)
            // fractional seconds beyond millisecond precision are truncated
            if comp == "f" && text.count > 3 && text.allSatisfy({ $0.isASCII && $0.isNumber }) { text = String(text.prefix(3)) }
            guard let v = parse(text) else { continue }
            components[comp] = v
        }
        if components.isEmpty { return nil }
        func isType(_ type: Int, _ mask: Int) -> Bool { (~type & mask) == 0 && (type & mask) != 0 }
        var mask = 0
        for p in "YXMxWwdD" {
            mask <<= 1
            if components[p] != nil { mask += 1 }
        }
        let dateA = isType(161, mask)
        let dateB = !dateA && isType(130, mask)
        let dateC = isType(84, mask)
        let dateD = !dateC && isType(72, mask)
        mask = 0
        for p in "PHhmsf" {
            mask <<= 1
            if components[p] != nil { mask += 1 }
        }
        let timeA = isType(23, mask)
        let timeB = !timeA && isType(47, mask)
        let dateComps = dateB ? "YB" : dateC ? "XxwF" : dateD ? "XWF" : "YMD"
        let timeComps = timeB ? "Phmsf" : "Hmsf"
        let nowMs = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let now = dateTime(millis: nowMs)
        var startSpecified = false, endSpecified = false
        for p in dateComps + timeComps {
            if components[p] == nil {
                if startSpecified {
                    components[p] = "MDd".contains(p) ? 1 : 0
                    endSpecified = true
                } else {
                    components[p] = fragment(now, p)
                }
            } else {
                startSpecified = true
                if endSpecified { throw JSONataError(code: "D3136") }
            }
        }
        var month = (components["M"] ?? 0)
        month = month > 0 ? month - 1 : 0
        var day = components["D"] ?? 1
        if dateB {
            let dn = days(fromCivil: components["Y"]!, 1, 1) + (components["d"] ?? 1) - 1
            let c = civil(fromDays: dn)
            month = c.m - 1
            day = c.d
        }
        if dateC || dateD { throw JSONataError(code: "D3136") }
        var hour = components["H"] ?? 0
        if timeB {
            let h = components["h"] ?? 0
            hour = h == 12 ? 0 : h
            if components["P"] == 1 { hour += 12 }
        }
        var millis = Int64(days(fromCivil: components["Y"] ?? 1970, month + 1, day)) * 86_400_000
        millis += Int64(hour * 3_600_000 + (components["m"] ?? 0) * 60_000 + (components["s"] ?? 0) * 1000 + (components["f"] ?? 0))
        if let z = components["Z"] ?? components["z"] { millis -= Int64(z * 60_000) }
        return millis
    }
}
