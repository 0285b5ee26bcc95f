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

    /// All matches; stops with `U1001` when matching runs past `deadline` (catastrophic backtracking).
    func matches(in s: String, deadline: ContinuousClock.Instant?) throws(JSONataError) -> [Match] {
        try scan(s, from: 0, first: false, deadline: deadline)
    }

    func firstMatch(in s: String, from: Int, deadline: ContinuousClock.Instant?) throws(JSONataError) -> Match? {
        try scan(s, from: from, first: true, deadline: deadline).first
    }

    private func scan(_ s: String, from: Int, first: Bool, deadline: ContinuousClock.Instant?) throws(JSONataError) -> [Match] {
        let ns = s as NSString
        guard from <= ns.length else { return [] }
        var out: [Match] = []
        var timedOut = false
        // .reportProgress makes ICU call back periodically during a long match, so it can be abandoned
        let options: NSRegularExpression.MatchingOptions = deadline == nil ? [] : [.reportProgress]
        regex.enumerateMatches(in: s, options: options, range: NSRange(location: from, length: ns.length - from)) {
            r, _, stop in
            if let r {
                out.append(makeMatch(r, ns))
                if first { stop.pointee = true }
            }
            if let deadline, ContinuousClock.now > deadline {
                timedOut = true
                stop.pointee = true
            }
        }
        if timedOut {
            throw JSONataError(code: "U1001", message: "Regular expression evaluation timeout: /\(pattern)/")
        }
        return out
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
