#if canImport(Glibc)
import Glibc
#endif

/// The URL text handling `webapi` needs, without Foundation: shape checks, `file:` paths, query
/// strings, relative references and RFC 8288 `Link` headers.
enum WebURL {
    /// The scheme of `url` in lower case (`http`, `https`, `file`), or nil when it has none.
    static func scheme(_ url: String) -> String? {
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon]
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return scheme.lowercased()
    }

    /// Why `url` cannot be requested, or nil when its shape is fine.
    static func problem(_ url: String) -> String? {
        guard let scheme = scheme(url) else {
            return "`\(url)` is not an absolute URL: it needs `http://`, `https://` or `file:`"
        }
        switch scheme {
        case "http", "https":
            guard url.dropFirst(scheme.count + 1).hasPrefix("//") else {
                return "`\(url)` needs `//` and a host after `\(scheme):`"
            }
            let rest = url.dropFirst(scheme.count + 3)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.split(separator: "@", omittingEmptySubsequences: false).last ?? ""
            if host.isEmpty || host.hasPrefix(":") { return "`\(url)` has no host" }
            if url.contains(where: { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }) {
                return "`\(url)` contains white space; percent-encode it (`%20`) or use `query:`"
            }
            return nil
        case "file":
            return url.count > 5 ? nil : "`\(url)` names no file"
        default:
            return "scheme `\(scheme):` is not supported: use `http:`, `https:` or `file:`"
        }
    }

    /// `file:data/x.json` (relative to the workflow's directory) as an absolute `file://` URL.
    static func resolveFile(_ url: String, directory: String) -> String {
        guard scheme(url) == "file" else { return url }
        var path = String(url.dropFirst(5))
        if path.hasPrefix("//") {
            path.removeFirst(2)
            // `file://localhost/x` or `file:///x`: the host part is empty or localhost.
            if let slash = path.firstIndex(of: "/") { path = String(path[slash...]) } else { path = "/" + path }
        }
        if !path.hasPrefix("/") {
            var base = directory.isEmpty ? "." : directory
            if !base.hasPrefix("/") { base = currentDirectory() + (base == "." ? "" : "/" + base) }
            path = base + "/" + path
        }
        return "file://" + path
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(cString: buffer)
    }

    /// Resolves a reference from a `next` link or `Link` header against the URL it came from.
    static func resolve(_ reference: String, against base: String) -> String {
        if scheme(reference) != nil { return reference }
        let baseScheme = scheme(base) ?? "http"
        if reference.hasPrefix("//") { return baseScheme + ":" + reference }
        // Split the base into origin ("scheme://authority"), path and query.
        var afterScheme = Substring(base.dropFirst(baseScheme.count + 1))
        var origin = baseScheme + ":"
        if afterScheme.hasPrefix("//") {
            afterScheme = afterScheme.dropFirst(2)
            let end = afterScheme.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
            origin += "//" + afterScheme[..<end]
            afterScheme = afterScheme[end...]
        }
        let pathEnd = afterScheme.firstIndex { $0 == "?" || $0 == "#" } ?? afterScheme.endIndex
        let path = afterScheme[..<pathEnd]
        if reference.hasPrefix("/") { return origin + reference }
        if reference.hasPrefix("?") { return origin + path + reference }
        if reference.hasPrefix("#") || reference.isEmpty { return origin + afterScheme }
        let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
        return origin + directory + reference
    }

    /// `url` with `items` appended to its query string (percent-encoded); names in `replacing` are
    /// removed from the existing query first.
    static func appending(_ items: [(String, String)], to url: String, replacing: Set<String> = []) -> String {
        guard !items.isEmpty else { return url }
        // Searched as bytes: once per page, and String's Character-wise search (or Foundation's, which
        // `contains` picks) showed in profiles.
        var base = Substring(url)
        var fragment: Substring = ""
        if let hash = base.utf8.firstIndex(of: UInt8(ascii: "#")) {
            fragment = base[hash...]
            base = base[..<hash]
        }
        if !replacing.isEmpty, let question = base.utf8.firstIndex(of: UInt8(ascii: "?")) {
            let kept = base[base.index(after: question)...].split(separator: "&").filter { pair in
                let name = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
                return !replacing.contains(percentDecode(String(name)))
            }
            base = Substring(String(base[..<question]) + (kept.isEmpty ? "" : "?" + kept.joined(separator: "&")))
        }
        var out = String(base)
        if base.utf8.contains(UInt8(ascii: "?")) {
            if let last = base.utf8.last, last != UInt8(ascii: "?"), last != UInt8(ascii: "&") { out += "&" }
        } else {
            out += "?"
        }
        for (index, item) in items.enumerated() {
            if index > 0 { out += "&" }
            out += percentEncode(item.0)
            out += "="
            out += percentEncode(item.1)
        }
        out += fragment
        return out
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func percentEncode(_ text: String) -> String {
        let hex: StaticString = "0123456789ABCDEF"
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex.utf8Start[Int(byte >> 4)])
                out.append(hex.utf8Start[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `application/x-www-form-urlencoded` text of `pairs`.
    static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
    }

    /// The target of the first `rel="next"` link in RFC 8288 `Link` header values, or nil.
    static func nextLink(in values: [String]) -> String? {
        for value in values {
            var rest = Substring(value)
            while let open = rest.firstIndex(of: "<") {
                guard let close = rest[open...].firstIndex(of: ">") else { break }
                let target = rest[rest.index(after: open)..<close]
                var paramsEnd = rest.index(after: close)
                // Parameters run to the next comma outside quotes.
                var inQuotes = false
                while paramsEnd < rest.endIndex {
                    let c = rest[paramsEnd]
                    if c == "\"" { inQuotes.toggle() }
                    if c == ",", !inQuotes { break }
                    paramsEnd = rest.index(after: paramsEnd)
                }
                let params = rest[rest.index(after: close)..<paramsEnd]
                for param in params.split(separator: ";") {
                    let parts = param.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, parts[0].trimmingSpaces.lowercased() == "rel" else { continue }
                    var rel = parts[1].trimmingSpaces
                    if rel.hasPrefix("\""), rel.hasSuffix("\""), rel.count >= 2 { rel = String(rel.dropFirst().dropLast()) }
                    if rel.lowercased().split(separator: " ").contains("next") { return String(target) }
                }
                rest = paramsEnd < rest.endIndex ? rest[rest.index(after: paramsEnd)...] : ""
            }
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}

/// Standard base64 (RFC 4648) for `Authorization: Basic`.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String {
        let table = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i + 2 < bytes.count {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
            out.append(table[n >> 18 & 63]); out.append(table[n >> 12 & 63])
            out.append(table[n >> 6 & 63]); out.append(table[n & 63])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = Int(bytes[i]) << 16
            out.append(table[n >> 18 & 63]); out.append(table[n >> 12 & 63]); out += "=="
        } else if rest == 2 {
            let n = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
            out.append(table[n >> 18 & 63]); out.append(table[n >> 12 & 63]); out.append(table[n >> 6 & 63]); out += "="
        }
        return out
    }
}
