import FlowJSON
import Foundation

/// Number and date/time formatting functions ($formatNumber, $formatBase, $formatInteger, $parseInteger,
/// $now, $millis, $fromMillis, $toMillis).
enum Formatting {
    typealias B = Builtins

    static let functions: [(String, Builtin)] = [
        B.def("formatBase", "<n-n?:s>") { _, a, _, _ throws(JSONataError) in
            guard let n = B.numArg(a, 0) else { return nil }
            let radix = (B.numArg(a, 1) ?? 10).clampedInt
            if radix < 2 || radix > 36 { throw JSONataError(code: "D3100", value: .int(radix)) }
            let v = B.round(n, 0)
            let s = String(abs(v).clampedInt, radix: radix)
            return .string(v < 0 ? "-" + s : s)
        },
        B.def("formatNumber", "<n-so?:s>") { _, a, _, _ throws(JSONataError) in
            guard let n = B.numArg(a, 0), let p = B.strArg(a, 1) else { return nil }
            return .string(try NumberPicture.format(n, picture: p, options: B.arg(a, 2)))
        },
        B.def("formatInteger", "<n-s:s>") { _, a, _, _ throws(JSONataError) in
            guard let n = B.numArg(a, 0), let p = B.strArg(a, 1) else { return nil }
            return .string(try IntegerPicture.format(n, picture: p))
        },
        B.def("parseInteger", "<s-s:n>") { _, a, _, _ throws(JSONataError) in
            guard let s = B.strArg(a, 0), let p = B.strArg(a, 1) else { return nil }
            return try IntegerPicture.parse(s, picture: p).map { .number($0) }
        },
        B.def("now", "<s?s?:s>") { ev, a, _, _ throws(JSONataError) in
            let ms = ev.nowMillis()
            return .string(try DateTimeFormat.format(millis: ms, picture: B.strArg(a, 0), timezone: B.strArg(a, 1)))
        },
        B.def("millis", "<:n>") { ev, _, _, _ in .number(Double(ev.nowMillis())) },
        B.def("fromMillis", "<n-s?s?:s>") { _, a, _, _ throws(JSONataError) in
            guard let n = B.numArg(a, 0) else { return nil }
            return .string(
                try DateTimeFormat.format(millis: Int64(max(min(n.rounded(.down), 8.64e15), -8.64e15)), picture: B.strArg(a, 1), timezone: B.strArg(a, 2)))
        },
        B.def("toMillis", "<s-s?:n>") { _, a, _, _ throws(JSONataError) in
            guard let s = B.strArg(a, 0) else { return nil }
            if let p = B.strArg(a, 1) {
                return try DateTimeFormat.parse(s, picture: p).map { .number(Double($0)) }
            }
            return .number(Double(try DateTimeFormat.parseISO(s)))
        },
    ]
}

extension Evaluator {
    func nowMillis() -> Int64 {
        if let n = nowCache { return n }
        let d = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        nowCache = d
        return d
    }
}
