/// A function signature such as `<n-n?:n>`, validated against arguments as jsonata-js does
/// (its regular expression over type symbols, implemented here as a small backtracking matcher).
struct Signature: Sendable {
    struct Param: Sendable {
        var type: String
        var allowed: Set<Character>
        var quantifier: Character = " "  // " ", "?", "+"
        var context = false
        var contextAllowed: Set<Character> = []
        var subtype: String?
    }

    let definition: String
    var params: [Param] = []
    /// Per-parameter bit masks of accepted symbols (for the fast path), and whether it applies.
    var masks: [UInt16] = []
    var simple = true

    static func bit(_ c: Character) -> UInt16 {
        switch c {
        case "s": return 1
        case "n": return 2
        case "b": return 4
        case "l": return 8
        case "a": return 16
        case "o": return 32
        case "f": return 64
        default: return 128
        }
    }

    @inline(__always)
    static func bit(of v: Value?) -> UInt16 {
        guard let v else { return 128 }
        switch v {
        case .string: return 1
        case .number: return 2
        case .bool: return 4
        case .null: return 8
        case .array: return 16
        case .object, .jobject: return 32
        case .function: return 64
        }
    }

    init(_ signature: String, position: Int) throws(JSONataError) {
        definition = signature
        let chars = Array(signature)
        var i = 1
        func close(_ start: Int, _ open: Character, _ closeCh: Character) -> Int {
            var depth = 1
            var p = start
            while p < chars.count - 1 {
                p += 1
                if chars[p] == open { depth += 1 } else if chars[p] == closeCh {
                    depth -= 1
                    if depth == 0 { break }
                }
            }
            return p
        }
        while i < chars.count {
            let s = chars[i]
            if s == ":" { break }
            switch s {
            case "s", "n", "b", "l", "o":
                params.append(Param(type: String(s), allowed: [s, "m"]))
            case "a":
                params.append(Param(type: "a", allowed: Set("asnblfom")))
            case "f":
                params.append(Param(type: "f", allowed: ["f"]))
            case "j":
                params.append(Param(type: "j", allowed: Set("asnblom")))
            case "x":
                params.append(Param(type: "x", allowed: Set("asnblfom")))
            case "-":
                if !params.isEmpty {
                    params[params.count - 1].context = true
                    params[params.count - 1].contextAllowed = params[params.count - 1].allowed
                    params[params.count - 1].quantifier = "?"
                }
            case "?", "+":
                if !params.isEmpty { params[params.count - 1].quantifier = s }
            case "(":
                let end = close(i, "(", ")")
                let choice = String(chars[(i + 1)..<end])
                if choice.contains("<") {
                    throw JSONataError(code: "S0402", position: position + i, value: .string(choice))
                }
                params.append(Param(type: "(\(choice))", allowed: Set(choice + "m")))
                i = end
            case "<":
                if let last = params.last, last.type == "a" || last.type == "f" {
                    let end = close(i, "<", ">")
                    params[params.count - 1].subtype = String(chars[(i + 1)..<end])
                    i = end
                } else {
                    throw JSONataError(code: "S0401", position: position + i, value: .string(params.last?.type ?? ""))
                }
            default: break
            }
            i += 1
        }
        finish()
    }

    mutating func finish() {
        masks = params.map { p in p.allowed.reduce(UInt16(0)) { $0 | Signature.bit($1) } }
        simple = !params.contains { $0.quantifier == "+" || $0.subtype != nil || $0.type == "a" }
    }

    static func symbol(_ v: Value?) -> Character {
        guard let v else { return "m" }
        switch v {
        case .string: return "s"
        case .number: return "n"
        case .bool: return "b"
        case .null: return "l"
        case .array: return "a"
        case .object, .jobject: return "o"
        case .function: return "f"
        }
    }

    /// Matches the symbols; returns for each param the number of symbols it consumed.
    func match(_ syms: [Character]) -> [Int]? {
        var counts = [Int](repeating: 0, count: params.count)
        func go(_ p: Int, _ s: Int) -> Bool {
            if p == params.count { return s == syms.count }
            let param = params[p]
            var maxRun = 0
            while s + maxRun < syms.count && param.allowed.contains(syms[s + maxRun]) { maxRun += 1 }
            switch param.quantifier {
            case "?":
                for n in stride(from: min(1, maxRun), through: 0, by: -1) {
                    counts[p] = n
                    if go(p + 1, s + n) { return true }
                }
                return false
            case "+":
                if maxRun == 0 { return false }
                for n in stride(from: maxRun, through: 1, by: -1) {
                    counts[p] = n
                    if go(p + 1, s + n) { return true }
                }
                return false
            default:
                if maxRun == 0 { return false }
                counts[p] = 1
                return go(p + 1, s + 1)
            }
        }
        return go(0, 0) ? counts : nil
    }

    func validate(_ args: [Value?], context: Value?) throws(JSONataError) -> [Value?] {
        if simple && args.count == params.count {
            var ok = true
            for i in 0..<args.count where masks[i] & Signature.bit(of: args[i]) == 0 {
                ok = false
                break
            }
            if ok { return args }
        }
        let syms = args.map { Signature.symbol($0) }
        guard let counts = match(syms) else {
            // find the first argument that does not fit
            var bad = 0
            for k in stride(from: syms.count, through: 0, by: -1) {
                if prefixMatches(Array(syms.prefix(k))) {
                    bad = k
                    break
                }
            }
            throw JSONataError(code: "T0410", value: bad < args.count ? args[bad]?.errorJSON : nil)
        }
        var out: [Value?] = []
        var argIndex = 0
        for (pi, param) in params.enumerated() {
            let n = counts[pi]
            if n == 0 {
                if param.context {
                    if param.contextAllowed.contains(Signature.symbol(context)) {
                        out.append(context)
                    } else {
                        throw JSONataError(code: "T0411", value: context?.errorJSON)
                    }
                } else {
                    // an optional parameter that was not supplied
                    out.append(argIndex < args.count ? args[argIndex] : nil)
                    argIndex += 1
                }
                continue
            }
            for _ in 0..<n {
                var arg = argIndex < args.count ? args[argIndex] : nil
                if param.type == "a" {
                    if let a = arg {
                        if let sub = param.subtype, let st = sub.first {
                            var ok = true
                            if case .array(let arr) = a {
                                if !arr.items.isEmpty {
                                    let t0 = Signature.symbol(arr.items[0])
                                    ok = t0 == st && arr.items.allSatisfy { Signature.symbol($0) == t0 }
                                }
                            } else {
                                ok = Signature.symbol(a) == st
                            }
                            if !ok { throw JSONataError(code: "T0412", value: a.errorJSON) }
                        }
                        if !a.isArray { arg = .array(ArrayRef([a])) }
                    }
                }
                out.append(arg)
                argIndex += 1
            }
        }
        return out
    }

    /// True when some prefix-consistent assignment of params accepts all of `syms` (used for error indexes).
    func prefixMatches(_ syms: [Character]) -> Bool {
        func go(_ p: Int, _ s: Int) -> Bool {
            if s == syms.count { return true }
            if p == params.count { return false }
            let param = params[p]
            var maxRun = 0
            while s + maxRun < syms.count && param.allowed.contains(syms[s + maxRun]) { maxRun += 1 }
            switch param.quantifier {
            case "?":
                return (maxRun >= 1 && go(p + 1, s + 1)) || go(p + 1, s)
            case "+":
                if maxRun == 0 { return false }
                for n in stride(from: maxRun, through: 1, by: -1) where go(p + 1, s + n) { return true }
                return false
            default:
                return maxRun > 0 && go(p + 1, s + 1)
            }
        }
        return go(0, 0)
    }
}
