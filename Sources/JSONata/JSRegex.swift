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

enum Regexes {
    /// The function value a regex literal evaluates to: called with a string, it returns the first match
    /// object `{match, start, end, groups, next}`.
    static func matcher(_ re: JSRegex) -> FunctionRef {
        let f = FunctionRef(.closure(arity: 1, body: { (_, args, _, _) throws(JSONataError) -> Value? in
            guard case .string(let s)? = args.first ?? nil else { return nil }
            return matchObject(re, s, from: 0)
        }))
        f.regex = re
        return f
    }

    static func matchObject(_ re: JSRegex, _ s: String, from: Int) -> Value? {
        guard let m = re.firstMatch(in: s, from: from) else { return nil }
        let o = ObjRef()
        o["match"] = .string(m.match)
        o["start"] = .number(Double(m.start))
        o["end"] = .number(Double(m.end))
        o["groups"] = .array(ArrayRef(m.groups.map { .string($0 ?? "") }))
        let nextFrom = m.end > m.start ? m.end : m.end + 1
        o["next"] = .function(FunctionRef(.closure(arity: 0, body: { (_, _, _, _) throws(JSONataError) -> Value? in
            if nextFrom > (s as NSString).length { return nil }
            return matchObject(re, s, from: nextFrom)
        })))
        return .object(o)
    }
}
