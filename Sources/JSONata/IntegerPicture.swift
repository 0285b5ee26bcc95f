import FlowJSON
import Foundation

/// Integer picture strings (XPath F&O 3.1 `format-integer`): `$formatInteger`, `$parseInteger`, date parts.
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
