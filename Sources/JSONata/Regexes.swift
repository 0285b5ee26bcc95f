import Foundation

enum Regexes {
    /// The function value a regex literal evaluates to: called with a string, it returns the first match
    /// object `{match, start, end, groups, next}`.
    static func matcher(_ re: JSRegex) -> FunctionRef {
        let f = FunctionRef(.closure(arity: 1, body: { (ev, args, _, _) throws(JSONataError) -> Value? in
            guard case .string(let s)? = args.first ?? nil else { return nil }
            return try matchObject(re, s, from: 0, deadline: ev.absoluteDeadline())
        }))
        f.regex = re
        return f
    }

    static func matchObject(_ re: JSRegex, _ s: String, from: Int, deadline: ContinuousClock.Instant?) throws(JSONataError) -> Value? {
        guard let m = try re.firstMatch(in: s, from: from, deadline: deadline) else { return nil }
        let o = ObjRef()
        o["match"] = .string(m.match)
        o["start"] = .number(Double(m.start))
        o["end"] = .number(Double(m.end))
        o["groups"] = .array(ArrayRef(m.groups.map { .string($0 ?? "") }))
        let nextFrom = m.end > m.start ? m.end : m.end + 1
        o["next"] = .function(FunctionRef(.closure(arity: 0, body: { (_, _, _, _) throws(JSONataError) -> Value? in
            if nextFrom > (s as NSString).length { return nil }
            return try matchObject(re, s, from: nextFrom, deadline: deadline)
        })))
        return .object(o)
    }
}
