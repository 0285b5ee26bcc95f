import Foundation

/// A regular expression literal (`/re/flags`), backed by ICU through `NSRegularExpression`; offsets are
/// UTF-16 code units as in JavaScript.
struct JSRegex: @unchecked Sendable {
    let pattern: String
    let flags: String
    let regex: NSRegularExpression

    struct Match {
        var match: String
        var start: Int
        var end: Int
        var groups: [String?]
    }

    init(pattern: String, flags: String, position: Int) throws(JSONataError) {
        self.pattern = pattern
        self.flags = flags
        var options: NSRegularExpression.Options = []
        if flags.contains("i") { options.insert(.caseInsensitive) }
        if flags.contains("m") { options.insert(.anchorsMatchLines) }
        do {
            regex = try NSRegularExpression(pattern: pattern, options: options)
        } catch {
            throw JSONataError(code: "S0302", position: position, token: pattern)
        }
    }

    func matches(in s: String) -> [Match] {
        let ns = s as NSString
        var out: [Match] = []
        for r in regex.matches(in: s, range: NSRange(location: 0, length: ns.length)) {
            out.append(makeMatch(r, ns))
        }
        return out
    }

    func firstMatch(in s: String, from: Int) -> Match? {
        let ns = s as NSString
        guard from <= ns.length,
            let r = regex.firstMatch(in: s, range: NSRange(location: from, length: ns.length - from))
        else { return nil }
        return makeMatch(r, ns)
    }

    private func makeMatch(_ r: NSTextCheckingResult, _ ns: NSString) -> Match {
        var groups: [String?] = []
        if r.numberOfRanges > 1 {
            for g in 1..<r.numberOfRanges {
                let gr = r.range(at: g)
                groups.append(gr.location == NSNotFound ? nil : ns.substring(with: gr))
            }
        }
        return Match(
            match: ns.substring(with: r.range), start: r.range.location, end: r.range.location + r.range.length,
            groups: groups)
    }
}
