/// A PostgreSQL connection URL, parsed from any of the spellings users paste, turned into a libpq
/// conninfo and a display form without the password.
///
/// Accepted forms:
/// - `postgresql://user:password@host:port/db?sslmode=require&application_name=flow`
/// - `postgres://...` (same as above)
/// - `jdbc:postgresql://host:port/db?user=...&password=...&ssl=true` and `jdbc:postgresql:db`
///
/// Components are percent-decoded. Query parameters of `postgresql://` URLs are libpq parameters and
/// pass through unchanged; JDBC parameters are translated (`ssl=true` to `sslmode=require`,
/// `connectTimeout` to `connect_timeout`, `ApplicationName` to `application_name`, `currentSchema` to a
/// `search_path` option) and the ones without a libpq equivalent are listed in ``ignoredParameters``.
/// Multi-host URLs are not parsed here; pass them to ``PostgresConnection/connect(_:connectTimeout:)``.
public struct PostgresURL: Sendable, Hashable {
    /// A libpq connection parameter (`sslmode`, `connect_timeout`, ...).
    public struct Parameter: Sendable, Hashable {
        public var key: String
        public var value: String
        public init(key: String, value: String) {
            self.key = key
            self.value = value
        }
    }

    public var user: String?
    public var password: String?
    /// Host name or IP address; nil means libpq's default (a local Unix socket).
    public var host: String?
    public var port: Int?
    public var database: String?
    /// Other libpq parameters, in the order given.
    public var parameters: [Parameter]
    /// JDBC parameters that have no libpq equivalent and were dropped (names only).
    public var ignoredParameters: [String]

    public init(
        user: String? = nil, password: String? = nil, host: String? = nil, port: Int? = nil,
        database: String? = nil, parameters: [Parameter] = []
    ) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.parameters = parameters
        self.ignoredParameters = []
    }

    /// Parses a `postgresql://`, `postgres://` or `jdbc:postgresql:` URL. Errors never contain the password.
    public init(_ string: String) throws {
        self.init()
        let trimmed = string.trimmingWhitespace()
        let isJDBC: Bool
        var rest: Substring
        if let after = trimmed.droppingPrefix("jdbc:postgresql:") {
            isJDBC = true
            if let authority = after.droppingPrefix("//") {
                rest = authority
            } else {
                // jdbc:postgresql:db or jdbc:postgresql:/ : no host part.
                rest = "/" + after.drop { $0 == "/" }
            }
        } else if let after = trimmed.droppingPrefix("postgresql://") ?? trimmed.droppingPrefix("postgres://") {
            isJDBC = false
            rest = after
        } else {
            throw PostgresError(
                .invalidURL,
                "expected postgresql://, postgres:// or jdbc:postgresql: "
                    + "(got \(PostgresURL.maskWithoutParsing(string)))")
        }

        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        var authority = rest
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon], what: "user name")
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], what: "password")
            } else {
                user = try Self.decode(userInfo, what: "user name")
            }
        }
        if authority.contains(",") {
            throw PostgresError(
                .invalidURL, "multiple hosts are not supported here; pass the URL to connect directly")
        }
        var hostPart = authority
        var portPart: Substring?
        if hostPart.hasPrefix("[") {
            guard let close = hostPart.firstIndex(of: "]") else {
                throw PostgresError(.invalidURL, "unterminated [ in IPv6 host")
            }
            let after = hostPart[hostPart.index(after: close)...]
            if let portText = after.droppingPrefix(":") {
                portPart = portText
            } else if !after.isEmpty {
                throw PostgresError(.invalidURL, "unexpected text after IPv6 host")
            }
            hostPart = hostPart[hostPart.index(after: hostPart.startIndex)..<close]
        } else if let colon = hostPart.lastIndex(of: ":") {
            portPart = hostPart[hostPart.index(after: colon)...]
            hostPart = hostPart[..<colon]
        }
        if !hostPart.isEmpty { host = try Self.decode(hostPart, what: "host") }
        if let portPart, !portPart.isEmpty {
            guard let value = Int(portPart), (1...65535).contains(value) else {
                throw PostgresError(.invalidURL, "port must be a number from 1 to 65535 (got \(portPart))")
            }
            port = value
        }
        if !path.isEmpty { database = try Self.decode(path, what: "database name") }

        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let key: String
            let value: String
            if let equals = pair.firstIndex(of: "=") {
                key = try Self.decode(pair[..<equals], what: "parameter name")
                value = try Self.decode(pair[pair.index(after: equals)...], what: "parameter value")
            } else {
                key = try Self.decode(pair, what: "parameter name")
                value = ""
            }
            if isJDBC { applyJDBC(key: key, value: value) } else { try applyLibPQ(key: key, value: value) }
        }
    }

    private mutating func applyLibPQ(key: String, value: String) throws {
        switch key {
        case "user": user = value
        case "password": password = value
        case "host": host = value
        case "dbname": database = value
        case "port":
            guard let number = Int(value), (1...65535).contains(number) else {
                throw PostgresError(.invalidURL, "port must be a number from 1 to 65535 (got \(value))")
            }
            port = number
        default: setParameter(key, value)
        }
    }

    private mutating func applyJDBC(key: String, value: String) {
        switch key {
        case "user": user = value
        case "password": password = value
        case "ssl":
            if value.lowercased() != "false", !parameters.contains(where: { $0.key == "sslmode" }) {
                setParameter("sslmode", "require")
            }
        case "sslmode", "sslcert", "sslkey", "sslrootcert", "sslpassword", "options":
            setParameter(key, value)
        case "connectTimeout": setParameter("connect_timeout", value)
        case "ApplicationName", "applicationName": setParameter("application_name", value)
        case "currentSchema":
            // libpq has no schema parameter; search_path set through the startup options does the same.
            let escaped = value.replacing("\\", with: "\\\\").replacing(" ", with: "\\ ").replacing(",", with: "\\,")
            setParameter("options", "-c search_path=\(escaped)")
        default: ignoredParameters.append(key)
        }
    }

    private mutating func setParameter(_ key: String, _ value: String) {
        if let index = parameters.firstIndex(where: { $0.key == key }) {
            parameters[index].value = value
        } else {
            parameters.append(Parameter(key: key, value: value))
        }
    }

    /// The connection as libpq keyword/value pairs, in conninfo order.
    public var conninfoParameters: [Parameter] {
        var result: [Parameter] = []
        if let host { result.append(Parameter(key: "host", value: host)) }
        if let port { result.append(Parameter(key: "port", value: String(port))) }
        if let database { result.append(Parameter(key: "dbname", value: database)) }
        if let user { result.append(Parameter(key: "user", value: user)) }
        if let password { result.append(Parameter(key: "password", value: password)) }
        return result + parameters
    }

    /// A libpq conninfo string (`host='db' port='5432' ...`) with every value quoted. Contains the
    /// password: pass it to libpq, never print it.
    public var conninfo: String {
        conninfoParameters.map { "\($0.key)=\(Self.quoteConninfoValue($0.value))" }.joined(separator: " ")
    }

    /// `postgresql://user:***@host:port/db?sslmode=require`: the URL with the password masked.
    public var maskedDescription: String {
        var text = "postgresql://"
        if let user {
            text += Self.encode(user)
            if password != nil { text += ":***" }
            text += "@"
        } else if password != nil {
            text += ":***@"
        }
        if let host { text += host.contains(":") ? "[\(host)]" : Self.encode(host) }
        if let port { text += ":\(port)" }
        if let database { text += "/" + Self.encode(database) }
        if !parameters.isEmpty {
            text += "?" + parameters.map { parameter in
                let value = Self.secretKeys.contains(parameter.key) ? "***" : Self.encode(parameter.value)
                return "\(Self.encode(parameter.key))=\(value)"
            }.joined(separator: "&")
        }
        return text
    }

    /// Masks the password of any connection string: a URL of the accepted forms (parsed or not) or a
    /// libpq `key=value` conninfo. Used for error messages and logs.
    public static func mask(_ connectionString: String) -> String {
        if let url = try? PostgresURL(connectionString) { return url.maskedDescription }
        return maskWithoutParsing(connectionString)
    }

    /// ``mask(_:)`` for strings that are not valid URLs of the accepted forms.
    private static func maskWithoutParsing(_ connectionString: String) -> String {
        let trimmed = connectionString.trimmingWhitespace()
        if let schemeEnd = trimmed.firstRange(of: "://")?.upperBound {
            // Unparseable URL: hide the user info and every query value that could be a secret.
            var rest = String(trimmed[schemeEnd...])
            var query = ""
            if let mark = rest.firstIndex(of: "?") {
                query = String(rest[rest.index(after: mark)...])
                rest = String(rest[..<mark])
            }
            let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                rest = "***@" + rest[rest.index(after: at)...]
            }
            var masked = String(trimmed[..<schemeEnd]) + rest
            if !query.isEmpty {
                masked += "?" + query.split(separator: "&").map { pair in
                    let key = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                    return secretKeys.contains(key.lowercased()) ? "\(key)=***" : String(pair)
                }.joined(separator: "&")
            }
            return masked
        }
        return maskKeyValueConninfo(String(trimmed))
    }

    private static let secretKeys: Set<String> = ["password", "sslpassword"]

    /// Masks `password=...` values in a `key=value` conninfo, respecting libpq's quoting.
    private static func maskKeyValueConninfo(_ text: String) -> String {
        var output = ""
        var index = text.startIndex
        func skipSpaces() {
            while index < text.endIndex, text[index].isWhitespace {
                output.append(text[index])
                index = text.index(after: index)
            }
        }
        while index < text.endIndex {
            skipSpaces()
            var key = ""
            while index < text.endIndex, text[index] != "=", !text[index].isWhitespace {
                key.append(text[index])
                index = text.index(after: index)
            }
            output += key
            skipSpaces()
            guard index < text.endIndex, text[index] == "=" else { continue }
            output.append("=")
            index = text.index(after: index)
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
            var value = ""
            if index < text.endIndex, text[index] == "'" {
                value.append("'")
                index = text.index(after: index)
                while index < text.endIndex, text[index] != "'" {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        value.append(text[index])
                        index = text.index(after: index)
                    }
                    value.append(text[index])
                    index = text.index(after: index)
                }
                if index < text.endIndex {
                    value.append("'")
                    index = text.index(after: index)
                }
            } else {
                while index < text.endIndex, !text[index].isWhitespace {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        value.append(text[index])
                        index = text.index(after: index)
                    }
                    value.append(text[index])
                    index = text.index(after: index)
                }
            }
            output += secretKeys.contains(key.lowercased()) ? "***" : value
        }
        return output
    }

    static func quoteConninfoValue(_ value: String) -> String {
        "'" + value.replacing("\\", with: "\\\\").replacing("'", with: "\\'") + "'"
    }

    private static func decode(_ text: Substring, what: String) throws -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw PostgresError(.invalidURL, "bad percent-encoding in the \(what)")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw PostgresError(.invalidURL, "the \(what) is not valid UTF-8 after percent-decoding")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func encode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? start
        return Substring(self[start..<end])
    }

    fileprivate func droppingPrefix(_ prefix: String) -> Substring? {
        hasPrefix(prefix) ? Substring(dropFirst(prefix.count)) : nil
    }
}
