import FlowJSON

/// RFC 4180 CSV: quoted fields may hold delimiters, doubled quotes and line breaks.
enum CSV {
    /// Splits one record. Returns nil when a quoted field is still open at the end of `line`
    /// (the caller appends the next line and tries again).
    static func fields(_ line: [UInt8], delimiter: UInt8) -> [String]? {
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        var inQuotes = false
        var wasQuoted = false
        while i < line.count {
            let c = line[i]
            if inQuotes {
                if c == UInt8(ascii: "\"") {
                    if i + 1 < line.count, line[i + 1] == UInt8(ascii: "\"") {
                        field.append(c)
                        i += 2
                        continue
                    }
                    inQuotes = false
                } else {
                    field.append(c)
                }
            } else if c == UInt8(ascii: "\"") && field.isEmpty && !wasQuoted {
                inQuotes = true
                wasQuoted = true
            } else if c == delimiter {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            } else {
                field.append(c)
            }
            i += 1
        }
        if inQuotes { return nil }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
    }

    /// A CSV cell typed when `infer` is on: integers, decimals, booleans; empty is null.
    static func value(_ text: String, infer: Bool) -> JSON {
        guard infer else { return .string(text) }
        if text.isEmpty { return .null }
        if text == "true" { return .bool(true) }
        if text == "false" { return .bool(false) }
        if let first = text.utf8.first, first == UInt8(ascii: "-") || (first >= 48 && first <= 57) {
            if let i = Int(text), !(text.hasPrefix("0") && text.count > 1), !text.hasPrefix("-0") { return .int(i) }
            if text.allSatisfy({ $0.isASCII && ($0.isNumber || "-.eE+".contains($0)) }), let d = Double(text) { return .double(d) }
        }
        return .string(text)
    }

    /// Appends one cell, quoting when needed. Nested values are written as JSON text.
    static func write(_ value: JSON?, delimiter: UInt8, to out: inout [UInt8]) {
        let text: String
        switch value {
        case nil, .null?: return
        case .string(let s)?: text = s
        case .bool(let b)?: text = b ? "true" : "false"
        case let v?: text = v.serialized()
        }
        let needsQuotes = text.utf8.contains { $0 == delimiter || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        if !needsQuotes {
            out.append(contentsOf: text.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in text.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
