import FlowJSON

extension Builtins {
    static func numbers(_ v: Value?) -> [Double]? {
        guard let v else { return nil }
        return v.asList.compactMap { $0.number }
    }

    static let numericFunctions: [(String, Builtin)] = [
        def("number", "<(nsb)-:n>") { _, a, _, _ throws(JSONataError) in
            guard let v = arg(a, 0) else { return nil }
            switch v {
            case .number: return v
            case .bool(let b): return .number(b ? 1 : 0)
            case .string(let s):
                if let d = NumberFormat.parseJSNumber(s) { return .number(d) }
                throw JSONataError(code: "D3030", value: .string(s))
            default: throw JSONataError(code: "D3030", value: v.errorJSON)
            }
        },
        def("abs", "<n-:n>") { _, a, _, _ in numArg(a, 0).map { .number(abs($0)) } },
        def("floor", "<n-:n>") { _, a, _, _ in numArg(a, 0).map { .number(fixZero($0.rounded(.down))) } },
        def("ceil", "<n-:n>") { _, a, _, _ in numArg(a, 0).map { .number(fixZero($0.rounded(.up))) } },
        def("round", "<n-n?:n>") { _, a, _, _ in
            guard let n = numArg(a, 0) else { return nil }
            return .number(round(n, (numArg(a, 1) ?? 0).clampedInt))
        },
        def("sqrt", "<n-:n>") { _, a, _, _ throws(JSONataError) in
            guard let n = numArg(a, 0) else { return nil }
            if n < 0 { throw JSONataError(code: "D3060", value: .double(n)) }
            return .number(n.squareRoot())
        },
        def("power", "<n-n:n>") { _, a, _, _ throws(JSONataError) in
            guard let b = numArg(a, 0), let e = numArg(a, 1) else { return nil }
            let r = NumberFormat.pow(b, e)
            if !r.isFinite { throw JSONataError(code: "D3061", value: .double(b)) }
            return .number(r)
        },
        def("random", "<:n>") { _, _, _, _ in .number(Double.random(in: 0..<1)) },
        def("sum", "<a<n>:n>") { _, a, _, _ in
            guard let ns = numbers(arg(a, 0)) else { return nil }
            return .number(ns.reduce(0, +))
        },
        def("count", "<a:n>") { _, a, _, _ in
            guard let v = arg(a, 0) else { return .number(0) }
            return .number(Double(v.asList.count))
        },
        def("max", "<a<n>:n>") { _, a, _, _ in
            guard let ns = numbers(arg(a, 0)), !ns.isEmpty else { return nil }
            return .number(ns.max()!)
        },
        def("min", "<a<n>:n>") { _, a, _, _ in
            guard let ns = numbers(arg(a, 0)), !ns.isEmpty else { return nil }
            return .number(ns.min()!)
        },
        def("average", "<a<n>:n>") { _, a, _, _ in
            guard let ns = numbers(arg(a, 0)), !ns.isEmpty else { return nil }
            return .number(ns.reduce(0, +) / Double(ns.count))
        },
        def("boolean", "<x-:b>") { _, a, _, _ in boolean(arg(a, 0)).map { .bool($0) } },
        def("not", "<x-:b>") { _, a, _, _ in boolean(arg(a, 0)).map { .bool(!$0) } },
        def("exists", "<x:b>") { _, a, _, _ in .bool(arg(a, 0) != nil) },
    ]

    @inline(__always) static func fixZero(_ d: Double) -> Double { d == 0 ? 0 : d }

    /// Banker's rounding to `precision` decimal places, shifting through the decimal text as jsonata-js does.
    static let powersOf10: [Double] = (0...22).map { p in (0..<p).reduce(1.0) { r, _ in r * 10 } }

    static func round(_ value: Double, _ precision: Int) -> Double {
        // Fast path: away from a rounding tie, scaling in binary gives the same result as jsonata-js's
        // decimal-text shift; dividing an exact integer by an exact power of ten is correctly rounded.
        if precision > 0 && precision <= 15 {
            let scale = powersOf10[precision]
            let y = value * scale
            if abs(y) < 4e15 {
                let fl = y.rounded(.down)
                let frac = y - fl
                if abs(frac - 0.5) > 1e-7 {
                    let r = frac < 0.5 ? fl : fl + 1
                    return fixZero(r / scale)
                }
            }
        }
        var arg = value
        if precision != 0 { arg = NumberFormat.shift(arg, precision) }
        var result = (arg + 0.5).rounded(.down)
        let diff = result - arg
        if abs(diff) == 0.5 && abs(result.truncatingRemainder(dividingBy: 2)) == 1 { result -= 1 }
        if precision != 0 { result = NumberFormat.shift(result, -precision) }
        return fixZero(result)
    }

    static let collectionFunctions: [(String, Builtin)] = [
        def("append", "<xx:a>") { _, a, _, _ in append(arg(a, 0), arg(a, 1)) },
        def("reverse", "<a:a>") { _, a, _, _ in
            guard case .array(let arr)? = arg(a, 0) else { return nil }
            if arr.items.count <= 1 { return .array(arr) }
            return .array(ArrayRef(arr.items.reversed()))
        },
        def("shuffle", "<a:a>") { _, a, _, _ in
            guard case .array(let arr)? = arg(a, 0) else { return nil }
            if arr.items.count <= 1 { return .array(arr) }
            return .array(ArrayRef(arr.items.shuffled()))
        },
        def("distinct", "<x:x>") { _, a, _, _ in
            guard let v = arg(a, 0) else { return nil }
            guard case .array(let arr) = v else { return v }
            if arr.items.count <= 1 { return v }
            var out: [Value] = []
            for item in arr.items where !out.contains(where: { Value.deepEqual($0, item) }) { out.append(item) }
            return seq(out)
        },
        def("zip", "<a+>") { _, a, _, _ in
            let arrays = a.map { $0?.asList ?? [] }
            let n = arrays.map { $0.count }.min() ?? 0
            var out: [Value] = []
            for i in 0..<n { out.append(.array(ArrayRef(arrays.map { $0[i] }))) }
            return .array(ArrayRef(out))
        },
        def("sort", "<af?:a>") { ev, a, _, env throws(JSONataError) in
            guard case .array(let arr)? = arg(a, 0) else { return nil }
            if arr.items.count <= 1 { return .array(arr) }
            if case .function(let f)? = arg(a, 1) {
                let sorted = try mergeSort(arr.items) { (x, y) throws(JSONataError) -> Bool in
                    boolean(try ev.apply(.function(f), [x, y], nil, env)) == true
                }
                return .array(ArrayRef(sorted))
            }
            if arr.items.allSatisfy({ $0.number != nil }) {
                return .array(ArrayRef(try mergeSort(arr.items) { (x, y) throws(JSONataError) -> Bool in x.number! > y.number! }))
            }
            if arr.items.allSatisfy({ $0.string != nil }) {
                return .array(ArrayRef(try mergeSort(arr.items) { (x, y) throws(JSONataError) -> Bool in compareUTF16(x.string!, y.string!) > 0 }))
            }
            throw JSONataError(code: "D3070")
        },
        def("keys", "<x-:a<s>>") { _, a, _, _ in
            guard let v = arg(a, 0) else { return nil }
            var keys: [String] = []
            if case .array(let arr) = v {
                for item in arr.items {
                    for k in item.objectKeys where !keys.contains(k) { keys.append(k) }
                }
            } else {
                keys = v.objectKeys
            }
            return seq(keys.map { .string($0) })
        },
        def("lookup", "<x-s:x>") { _, a, _, _ in
            guard let k = strArg(a, 1) else { return nil }
            return Evaluator.lookupField(arg(a, 0), k)
        },
        def("spread", "<x-:a<o>>") { _, a, _, _ in
            guard let v = arg(a, 0) else { return nil }
            return spread(v)
        },
        def("merge", "<a<o>:o>") { _, a, _, _ in
            guard let v = arg(a, 0) else { return nil }
            let out = ObjRef()
            for item in v.asList {
                for (k, x) in item.entries { out[k] = x }
            }
            return .object(out)
        },
        def("each", "<o-f:a>") { ev, a, _, env throws(JSONataError) in
            guard let o = arg(a, 0), let f = arg(a, 1) else { return nil }
            var out: [Value] = []
            for (k, v) in o.entries {
                var args: [Value?] = [v]
                let arity = (f.functionRef?.arity) ?? 2
                if arity >= 2 { args.append(.string(k)) }
                if arity >= 3 { args.append(o) }
                if let r = try ev.apply(f, args, nil, env) { out.append(r) }
            }
            return seq(out)
        },
        def("sift", "<o-f?:o>") { ev, a, _, env throws(JSONataError) in
            guard let o = arg(a, 0), let f = arg(a, 1) else { return nil }
            let out = ObjRef()
            for (k, v) in o.entries {
                var args: [Value?] = [v]
                let arity = (f.functionRef?.arity) ?? 2
                if arity >= 2 { args.append(.string(k)) }
                if arity >= 3 { args.append(o) }
                if boolean(try ev.apply(f, args, nil, env)) == true { out[k] = v }
            }
            return out.keys.isEmpty ? nil : .object(out)
        },
        def("error", "<s?:x>") { _, a, _, _ throws(JSONataError) in
            let msg = strArg(a, 0) ?? "$error() function evaluated"
            throw JSONataError(code: "D3137", message: msg, value: .string(msg))
        },
        def("assert", "<bs?:x>") { _, a, _, _ throws(JSONataError) in
            if case .bool(true)? = arg(a, 0) { return nil }
            let msg = strArg(a, 1) ?? "$assert() statement failed"
            throw JSONataError(code: "D3141", message: msg, value: .string(msg))
        },
        def("type", "<x:s>") { _, a, _, _ in arg(a, 0).map { .string($0.typeName) } },
        def("map", "<af>") { ev, a, _, env throws(JSONataError) in
            guard let arrV = arg(a, 0), let f = arg(a, 1) else { return nil }
            let items = arrV.asList
            var out: [Value] = []
            for (i, v) in items.enumerated() {
                if let r = try ev.apply(f, hofArgs(f, v, i, arrV), nil, env) { out.append(r) }
            }
            return seq(out)
        },
        def("filter", "<af>") { ev, a, _, env throws(JSONataError) in
            guard let arrV = arg(a, 0), let f = arg(a, 1) else { return nil }
            var out: [Value] = []
            for (i, v) in arrV.asList.enumerated() {
                if boolean(try ev.apply(f, hofArgs(f, v, i, arrV), nil, env)) == true { out.append(v) }
            }
            return seq(out)
        },
        def("single", "<af?>") { ev, a, _, env throws(JSONataError) in
            guard let arrV = arg(a, 0) else { return nil }
            var found = false
            var result: Value? = nil
            for (i, v) in arrV.asList.enumerated() {
                var pass = true
                if let f = arg(a, 1) {
                    pass = boolean(try ev.apply(f, hofArgs(f, v, i, arrV), nil, env)) == true
                }
                if pass {
                    if found { throw JSONataError(code: "D3138") }
                    found = true
                    result = v
                }
            }
            if !found { throw JSONataError(code: "D3139") }
            return result
        },
        def("reduce", "<afj?:j>") { ev, a, _, env throws(JSONataError) in
            guard let arrV = arg(a, 0), let f = arg(a, 1) else { return nil }
            let arity = f.functionRef?.arity ?? 2
            if arity < 2 { throw JSONataError(code: "D3050") }
            let items = arrV.asList
            var result: Value?
            var index = 0
            if arg(a, 2) == nil && !items.isEmpty {
                result = items[0]
                index = 1
            } else {
                result = arg(a, 2)
            }
            while index < items.count {
                var args: [Value?] = [result, items[index]]
                if arity >= 3 { args.append(.number(Double(index))) }
                if arity >= 4 { args.append(arrV) }
                result = try ev.apply(f, args, nil, env)
                index += 1
            }
            return result
        },
        def("clone", "<(oa)-:o>") { _, a, _, _ in arg(a, 0).map { Evaluator.deepClone($0) } },
    ]

    static func spread(_ v: Value) -> Value? {
        switch v {
        case .array(let arr):
            var result: Value? = .array(ArrayRef.seq())
            for item in arr.items { result = append(result, spread(item)) }
            return result
        case .object, .jobject:
            var out: [Value] = []
            for (k, x) in v.entries {
                let o = ObjRef()
                o[k] = x
                out.append(.object(o))
            }
            return seq(out)
        default: return v
        }
    }
}

extension Value {
    var functionRef: FunctionRef? { if case .function(let f) = self { return f } else { return nil } }
}
