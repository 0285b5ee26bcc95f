import FlowJSON
import Foundation

/// Date/time picture strings (XPath F&O 3.1 `format-dateTime`): `$fromMillis`, `$toMillis`, `$now`.
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
