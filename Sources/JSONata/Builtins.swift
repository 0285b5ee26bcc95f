import FlowJSON

/// The standard library: every `$name` function, registered with its jsonata-js signature.
enum Builtins {
    typealias Impl = @Sendable (Evaluator, [Value?], Value?, Frame) throws(JSONataError) -> Value?

    static func def(_ name: String, _ sig: String?, arity: Int? = nil, _ impl: @escaping Impl) -> (String, Builtin) {
        let signature = sig.flatMap { try? Signature($0, position: 0) }
        let a = arity ?? signature?.params.count ?? 0
        return (name, Builtin(name: name, signature: signature, arity: a, impl: impl))
    }

    @inline(__always)
    static func arg(_ args: [Value?], _ i: Int) -> Value? { i < args.count ? args[i] : nil }

    static let table: [String: Builtin] = {
        var t: [String: Builtin] = [:]
        for (k, v) in stringFunctions + numericFunctions + collectionFunctions + Formatting.functions {
            t[k] = v
        }
        return t
    }()

    // MARK: - helpers

    static func boolean(_ v: Value?) -> Bool? {
        guard let v else { return nil }
        switch v {
        case .null: return false
        case .bool(let b): return b
        case .number(let n): return n != 0
        case .string(let s): return !s.isEmpty
        case .array(let a):
            if a.items.count == 1 { return boolean(a.items[0]) }
            return a.items.contains { boolean($0) == true }
        case .object(let o): return !o.keys.isEmpty
        case .jobject(let o): return !o.isEmpty
        case .function: return false
        }
    }

    static func append(_ a: Value?, _ b: Value?) -> Value? {
        guard let a else { return b }
        guard let b else { return a }
        var items = a.asList
        items.append(contentsOf: b.asList)
        return .array(ArrayRef(items))
    }

    static func compareUTF16(_ a: String, _ b: String) -> Int {
        var ia = a.utf16.makeIterator()
        var ib = b.utf16.makeIterator()
        while true {
            let x = ia.next(), y = ib.next()
            switch (x, y) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let x?, let y?):
                if x != y { return x < y ? -1 : 1 }
            }
        }
    }

    /// Stable merge sort; `swap(a, b)` returns true when `a` must come after `b`.
    static func mergeSort(_ items: [Value], _ swap: (Value, Value) throws(JSONataError) -> Bool) throws(JSONataError) -> [Value] {
        if items.count <= 1 { return items }
        let mid = items.count / 2
        let l = try mergeSort(Array(items[..<mid]), swap)
        let r = try mergeSort(Array(items[mid...]), swap)
        var out: [Value] = []
        out.reserveCapacity(items.count)
        var i = 0, j = 0
        while i < l.count && j < r.count {
            if try swap(l[i], r[j]) {
                out.append(r[j])
                j += 1
            } else {
                out.append(l[i])
                i += 1
            }
        }
        out.append(contentsOf: l[i...])
        out.append(contentsOf: r[j...])
        return out
    }

    static func hofArgs(_ f: Value, _ v: Value?, _ i: Int, _ arr: Value) -> [Value?] {
        let arity: Int
        if case .function(let fr) = f { arity = fr.arity } else { arity = 1 }
        var a: [Value?] = [v]
        if arity >= 2 { a.append(.number(Double(i))) }
        if arity >= 3 { a.append(arr) }
        return a
    }

    static func seq(_ items: [Value]) -> Value { .array(ArrayRef(sequence: items)) }

    // MARK: - $string

    static func string(_ v: Value, pretty: Bool = false) throws(JSONataError) -> String {
        switch v {
        case .string(let s): return s
        case .function: return ""
        case .number(let n):
            if !n.isFinite { throw JSONataError(code: "D3001", value: .double(0)) }
            return NumberFormat.jsString(n, precision15: true)
        default:
            var out = ""
            var target = v
            if case .array(let a) = v, a.outerWrapper, !a.items.isEmpty { target = a.items[0] }
            try writeJSON(target, &out, pretty: pretty, indent: 0)
            return out
        }
    }

    static func writeJSON(_ v: Value, _ out: inout String, pretty: Bool, indent: Int) throws(JSONataError) {
        switch v {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n):
            if !n.isFinite { out += "null" } else { out += NumberFormat.jsString(n, precision15: true) }
        case .string(let s): out += JSON.quote(s)
        case .function: out += "\"\""
        case .array(let a):
            if a.items.isEmpty {
                out += "[]"
                return
            }
            out += "["
            for (i, e) in a.items.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                try writeJSON(e, &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "]"
        case .object, .jobject:
            let entries = v.entries
            if entries.isEmpty {
                out += "{}"
                return
            }
            out += "{"
            for (i, (k, e)) in entries.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: " ", count: indent + 2) }
                out += JSON.quote(k)
                out += pretty ? ": " : ":"
                try writeJSON(e, &out, pretty: pretty, indent: indent + 2)
            }
            if pretty { out += "\n" + String(repeating: " ", count: indent) }
            out += "}"
        }
    }

    static func strArg(_ args: [Value?], _ i: Int) -> String? {
        if case .string(let s)? = arg(args, i) { return s }
        return nil
    }

    static func numArg(_ args: [Value?], _ i: Int) -> Double? {
        if case .number(let n)? = arg(args, i) { return n }
        return nil
    }

    /// Characters as JavaScript's `Array.from(str)` (code points).
    static func codePoints(_ s: String) -> [Unicode.Scalar] { Array(s.unicodeScalars) }

    static func fromScalars<S: Sequence>(_ s: S) -> String where S.Element == Unicode.Scalar {
        var v = String.UnicodeScalarView()
        v.append(contentsOf: s)
        return String(v)
    }

    /// UTF-16 based `indexOf`.
    static func indexOf(_ s: [UInt16], _ sub: [UInt16], from: Int = 0) -> Int? {
        if sub.isEmpty { return from <= s.count ? from : nil }
        if sub.count > s.count { return nil }
        var i = from
        while i + sub.count <= s.count {
            if s[i] == sub[0] {
                var ok = true
                for k in 1..<sub.count where s[i + k] != sub[k] {
                    ok = false
                    break
                }
                if ok { return i }
            }
            i += 1
        }
        return nil
    }

    static func utf16String(_ u: ArraySlice<UInt16>) -> String { String(decoding: u, as: UTF16.self) }

    // MARK: - string functions

    static let stringFunctions: [(String, Builtin)] = [
        def("string", "<x-b?:s>", arity: 1) { _, a, _, _ throws(JSONataError) in
            guard let v = arg(a, 0) else { return nil }
            if case .bool(true)? = arg(a, 1) { return .string(try string(v, pretty: true)) }
            return .string(try string(v))
        },
        def("length", "<s-:n>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            return .number(Double(s.unicodeScalars.count))
        },
        def("substring", "<s-nn?:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            let cp = codePoints(s)
            let len = cp.count
            var start = (numArg(a, 1) ?? 0).clampedInt
            if len + start < 0 { start = 0 }
            func slice(_ st: Int, _ en: Int?) -> String {
                var b = st < 0 ? max(len + st, 0) : min(st, len)
                var e = en ?? len
                e = e < 0 ? max(len + e, 0) : min(e, len)
                if b > e { b = e }
                return fromScalars(cp[b..<e])
            }
            if let l = numArg(a, 2) {
                if l <= 0 { return .string("") }
                let length = l.rounded(.down).clampedInt
                let end = start >= 0 ? start + length : len + start + length
                return .string(slice(start, end))
            }
            return .string(slice(start, nil))
        },
        def("substringBefore", "<s-s:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            guard let c = strArg(a, 1) else { return .string(s) }
            let u = Array(s.utf16)
            guard let i = indexOf(u, Array(c.utf16)) else { return .string(s) }
            return .string(utf16String(u[..<i]))
        },
        def("substringAfter", "<s-s:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            guard let c = strArg(a, 1) else { return .string(s) }
            let u = Array(s.utf16)
            let cu = Array(c.utf16)
            guard let i = indexOf(u, cu) else { return .string(s) }
            return .string(utf16String(u[(i + cu.count)...]))
        },
        def("lowercase", "<s-:s>") { _, a, _, _ in strArg(a, 0).map { .string($0.lowercased()) } },
        def("uppercase", "<s-:s>") { _, a, _, _ in strArg(a, 0).map { .string($0.uppercased()) } },
        def("trim", "<s-:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            var out = String.UnicodeScalarView()
            var inWS = false
            for c in s.unicodeScalars {
                if c == " " || c == "\t" || c == "\n" || c == "\r" {
                    if !inWS { out.append(" ") }
                    inWS = true
                } else {
                    out.append(c)
                    inWS = false
                }
            }
            var r = String(out)
            if r.hasPrefix(" ") { r.removeFirst() }
            if r.hasSuffix(" ") { r.removeLast() }
            return .string(r)
        },
        def("pad", "<s-ns?:s>") { _, a, _, _ throws(JSONataError) in
            guard let s = strArg(a, 0), let w = numArg(a, 1) else { return nil }
            var ch = strArg(a, 2) ?? " "
            if ch.isEmpty { ch = " " }
            let width = w.clampedInt
            let padLength = abs(width) - s.unicodeScalars.count
            guard padLength > 0 else { return .string(s) }
            if padLength > 100_000_000 { throw JSONataError(code: "U1001", message: "The padded string would be too long") }
            var padding = String.UnicodeScalarView()
            let pc = Array(ch.unicodeScalars)
            var k = 0
            while padding.count < padLength {
                padding.append(pc[k % pc.count])
                k += 1
            }
            return .string(width > 0 ? s + String(padding) : String(padding) + s)
        },
        def("contains", "<s-(sf):b>") { ev, a, _, env throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            switch arg(a, 1) {
            case .string(let t)?: return .bool(indexOf(Array(s.utf16), Array(t.utf16)) != nil)
            case .function(let f)?:
                if let re = f.regex { return .bool(try re.firstMatch(in: s, from: 0, deadline: ev.absoluteDeadline()) != nil) }
                let r = try ev.apply(.function(f), [.string(s)], nil, env)
                return .bool(r != nil)
            default: return nil
            }
        },
        def("split", "<s-(sf)n?:a<s>>") { ev, a, _, env throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            if let l = numArg(a, 2), l < 0 { throw JSONataError(code: "D3020", value: .double(l)) }
            let limit = numArg(a, 2).map { $0.clampedInt }
            var parts: [String] = []
            switch arg(a, 1) {
            case .string(let sep)?:
                if sep.isEmpty {
                    parts = s.utf16.map { String(decoding: [$0], as: UTF16.self) }
                    // keep surrogate pairs together
                    parts = s.unicodeScalars.map { String($0) }
                } else {
                    let u = Array(s.utf16), su = Array(sep.utf16)
                    var pos = 0
                    while let i = indexOf(u, su, from: pos) {
                        parts.append(utf16String(u[pos..<i]))
                        pos = i + su.count
                    }
                    parts.append(utf16String(u[pos...]))
                }
            case .function(let f)?:
                let ms = try matches(ev, f, s, env)
                let u = Array(s.utf16)
                var pos = 0
                for m in ms {
                    parts.append(utf16String(u[pos..<m.start]))
                    pos = m.end
                }
                parts.append(utf16String(u[pos...]))
            default: return nil
            }
            if let limit { parts = Array(parts.prefix(limit)) }
            return .array(ArrayRef(parts.map { .string($0) }))
        },
        def("join", "<a<s>s?:s>") { _, a, _, _ in
            guard case .array(let arr)? = arg(a, 0) else { return nil }
            let sep = strArg(a, 1) ?? ""
            return .string(arr.items.compactMap { $0.string }.joined(separator: sep))
        },
        def("match", "<s-f<s:o>n?:a<o>>") { ev, a, _, env throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            if let l = numArg(a, 2), l < 0 { throw JSONataError(code: "D3040", value: .double(l)) }
            guard case .function(let f)? = arg(a, 1) else { return nil }
            var ms = try matches(ev, f, s, env)
            if let l = numArg(a, 2) { ms = Array(ms.prefix(l.clampedInt)) }
            let out = ArrayRef.seq()
            for m in ms {
                let o = ObjRef()
                o["match"] = .string(m.match)
                o["index"] = .number(Double(m.start))
                o["groups"] = .array(ArrayRef(m.groups.map { .string($0 ?? "") }))
                out.items.append(.object(o))
            }
            return .array(out)
        },
        def("replace", "<s-(sf)(sf)n?:s>") { ev, a, _, env throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            if case .string("")? = arg(a, 1) { throw JSONataError(code: "D3010", value: .string("")) }
            if let l = numArg(a, 3), l < 0 { throw JSONataError(code: "D3011", value: .double(l)) }
            let limit = numArg(a, 3).map { $0.clampedInt }
            let u = Array(s.utf16)
            var result = ""
            var pos = 0
            var count = 0
            switch arg(a, 1) {
            case .string(let pat)?:
                let pu = Array(pat.utf16)
                let rep = strArg(a, 2) ?? ""
                while limit == nil || count < limit!, let i = indexOf(u, pu, from: pos) {
                    result += utf16String(u[pos..<i])
                    result += rep
                    pos = i + pu.count
                    count += 1
                }
                result += utf16String(u[pos...])
                return .string(result)
            case .function(let f)?:
                let ms = try matches(ev, f, s, env)
                for m in ms {
                    if let limit, count >= limit { break }
                    result += utf16String(u[pos..<m.start])
                    switch arg(a, 2) {
                    case .string(let rep)?:
                        result += substitute(rep, m)
                    case .function(let rf)?:
                        let mo = ObjRef()
                        mo["match"] = .string(m.match)
                        mo["index"] = .number(Double(m.start))
                        mo["groups"] = .array(ArrayRef(m.groups.map { .string($0 ?? "") }))
                        let r = try ev.callHOF(.function(rf), [.object(mo)], env)
                        guard case .string(let rs)? = r else {
                            throw JSONataError(code: "D3012", value: r?.errorJSON)
                        }
                        result += rs
                    default: break
                    }
                    pos = m.end
                    count += 1
                }
                result += utf16String(u[pos...])
                return .string(result)
            default: return nil
            }
        },
        def("base64encode", "<s-:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            return .string(Encoding.base64Encode(Array(s.utf8)))
        },
        def("base64decode", "<s-:s>") { _, a, _, _ in
            guard let s = strArg(a, 0) else { return nil }
            return .string(String(decoding: Encoding.base64Decode(s), as: UTF8.self))
        },
        def("encodeUrlComponent", "<s-:s>") { _, a, _, _ throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            return .string(try Encoding.encodeURI(s, keep: Encoding.componentSafe))
        },
        def("encodeUrl", "<s-:s>") { _, a, _, _ throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            return .string(try Encoding.encodeURI(s, keep: Encoding.uriSafe))
        },
        def("decodeUrlComponent", "<s-:s>") { _, a, _, _ throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            return .string(try Encoding.decodeURI(s, reserved: ""))
        },
        def("decodeUrl", "<s-:s>") { _, a, _, _ throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            return .string(try Encoding.decodeURI(s, reserved: ";/?:@&=+$,#"))
        },
        def("eval", "<sx?:x>") { ev, a, input, env throws(JSONataError) in
            guard let s = strArg(a, 0) else { return nil }
            let ast: Node
            let used = ev.stackBase > ev.stackAddress() ? Int(ev.stackBase - ev.stackAddress()) : 0
            do throws(JSONataError) { ast = try Parser.parse(s, stackBudget: ev.stackLimit - used) } catch {
                if error.code == "U1001" { throw error }
                throw JSONataError(code: "D3120", message: "Syntax error in expression passed to function eval: \(error.message)", value: .string(error.message))
            }
            var focus = (a.count > 1 ? a[1] : nil) ?? input
            if a.count > 1, case .array(let arr)? = a[1], !arr.sequence {
                let w = ArrayRef(sequence: [.array(arr)])
                w.outerWrapper = true
                focus = .array(w)
            }
            do throws(JSONataError) {
                return try ev.evaluate(ast, focus, env)
            } catch {
                if error.code == "U1001" { throw error }
                throw JSONataError(code: "D3121", message: "Dynamic error evaluating the expression passed to function eval: \(error.message)", value: .string(error.message))
            }
        },
    ]

    struct RMatch {
        var match: String
        var start: Int
        var end: Int
        var groups: [String?]
    }

    /// All matches of a matcher (a regex literal or a custom matcher function) in `s`.
    static func matches(_ ev: Evaluator, _ f: FunctionRef, _ s: String, _ env: Frame) throws(JSONataError) -> [RMatch] {
        if let re = f.regex {
            let ms = try re.matches(in: s, deadline: ev.absoluteDeadline())
            var out: [RMatch] = []
            for m in ms {
                if m.match.isEmpty { throw JSONataError(code: "D1004", value: .string(re.pattern)) }
                out.append(RMatch(match: m.match, start: m.start, end: m.end, groups: m.groups))
            }
            return out
        }
        var out: [RMatch] = []
        var r = try ev.apply(.function(f), [.string(s)], nil, env)
        var guardCount = 0
        while let m = r {
            guard case .string(let ms)? = m.field("match"), case .number(let st)? = m.field("start"),
                case .number(let en)? = m.field("end")
            else { throw JSONataError(code: "T1010") }
            var groups: [String?] = []
            if case .array(let g)? = m.field("groups") { groups = g.items.map { $0.string } }
            out.append(RMatch(match: ms, start: st.clampedInt, end: en.clampedInt, groups: groups))
            guard let next = m.field("next") else { break }
            r = try ev.apply(next, [], nil, env)
            guardCount += 1
            if guardCount > 1_000_000 { break }
        }
        return out
    }

    static func substitute(_ rep: String, _ m: RMatch) -> String {
        let r = Array(rep.utf16)
        var out: [UInt16] = []
        var pos = 0
        while pos < r.count {
            let c = r[pos]
            if c != 36 /* $ */ {
                out.append(c)
                pos += 1
                continue
            }
            pos += 1
            if pos >= r.count {
                out.append(36)
                break
            }
            let d = r[pos]
            if d == 36 {
                out.append(36)
                pos += 1
            } else if d == 48 /* 0 */ {
                out.append(contentsOf: m.match.utf16)
                pos += 1
            } else {
                let maxDigits = m.groups.isEmpty ? 1 : String(m.groups.count).count
                func parse(_ n: Int) -> Int? {
                    var v = 0
                    var got = false
                    var k = pos
                    while k < r.count && k < pos + n, r[k] >= 48 && r[k] <= 57 {
                        v = v * 10 + Int(r[k] - 48)
                        got = true
                        k += 1
                    }
                    return got ? v : nil
                }
                var index = parse(maxDigits)
                if maxDigits > 1, let i = index, i > m.groups.count { index = parse(maxDigits - 1) }
                if let index {
                    if !m.groups.isEmpty, index >= 1, index <= m.groups.count, let g = m.groups[index - 1] {
                        out.append(contentsOf: g.utf16)
                    }
                    pos += String(index).count
                } else {
                    out.append(36)
                }
            }
        }
        return String(decoding: out, as: UTF16.self)
    }
}

