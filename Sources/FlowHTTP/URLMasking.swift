/// Hides credentials in URLs before they reach error messages or logs.
public enum URLMasking {
    /// Query parameter names containing one of these (case-insensitive) have their value masked.
    static let secretNameParts = [
        "token", "key", "password", "passwd", "pwd", "secret", "auth", "signature", "credential", "session",
    ]

    /// Replaces the userinfo (`user:password@`) with `***@` and the values of query parameters whose names
    /// look secret (token, key, password, secret, auth, signature, ...) with `***`.
    ///
    /// Works on the text without parsing it as a URL, so malformed input is masked too.
    public static func mask(_ url: String) -> String {
        var rest = Substring(url)
        var result = ""

        // Fragment: kept as is, but not mistaken for part of the query.
        var fragment = Substring()
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[hash...]
            rest = rest[..<hash]
        }
        var query: Substring?
        if let question = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: question)...]
            rest = rest[..<question]
        }

        // Authority: between "//" and the next "/"; userinfo ends at its last "@".
        if let schemeEnd = rest.range(of: "://") {
            result += rest[..<schemeEnd.upperBound]
            let afterScheme = rest[schemeEnd.upperBound...]
            let authorityEnd = afterScheme.firstIndex(of: "/") ?? afterScheme.endIndex
            let authority = afterScheme[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                result += "***@"
                result += authority[authority.index(after: at)...]
            } else {
                result += authority
            }
            result += afterScheme[authorityEnd...]
        } else {
            result += rest
        }

        if let query {
            result += "?"
            result += query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
                guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
                let name = pair[..<equals].lowercased()
                if secretNameParts.contains(where: { name.contains($0) }) {
                    return pair[...equals] + "***"
                }
                return String(pair)
            }.joined(separator: "&")
        }
        return result + fragment
    }
}
