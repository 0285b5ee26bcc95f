import FlowJSON

/// What `${...}` and expressions can see: `params`, `env`, `secrets` and `run` (and `record` in
/// per-record fields). Expressions evaluated against a record see these as `$params`, `$env`,
/// `$secrets` and `$run`.
public struct RunScope: Sendable {
    public let params: JSON
    public let env: JSON
    public let secrets: JSON
    public let run: JSON
    /// `{params, env, secrets, run}`: the input of `${...}` templates.
    public let object: JSON
    public let bindings: ExpressionBindings

    public init(params: JSON, env: JSON, secrets: JSON, run: JSON) {
        self.params = params
        self.env = env
        self.secrets = secrets
        self.run = run
        object = ["params": params, "env": env, "secrets": secrets, "run": run]
        bindings = ExpressionBindings(["params": params, "env": env, "secrets": secrets, "run": run])
    }

    /// The template input for one record: the scope plus `record`.
    public func with(record: JSON) -> JSON {
        guard case .object(var o) = object else { return object }
        o["record"] = record
        return .object(o)
    }

    /// Bindings for expressions whose context is a record, plus any extra variables.
    public func bindings(adding extra: [String: JSON]) -> ExpressionBindings {
        var b = bindings
        for (k, v) in extra { b.values[k] = v }
        return b
    }
}

/// Replaces secret values with `***` in anything that may be printed or stored.
public final class SecretMasker: Sendable {
    private let secrets = Mutex<[String]>([])

    public init() {}

    /// Registers a value to hide. Very short values are ignored: masking every `a` would make
    /// output unreadable, and they are not credentials.
    public func add(_ secret: String) {
        guard secret.count >= 3 else { return }
        secrets.withLock { list in
            guard !list.contains(secret) else { return }
            list.append(secret)
            list.sort { $0.count > $1.count }
        }
    }

    public var isEmpty: Bool { secrets.withLock { $0.isEmpty } }

    /// `text` with every registered secret, and any password in a URL's user info, replaced by `***`.
    public func mask(_ text: String) -> String {
        var out = text
        for secret in secrets.withLock({ $0 }) where out.contains(secret) {
            out = out.replacingAll(secret, with: "***")
        }
        return SecretMasker.maskURLPasswords(out)
    }

    /// Masks every string inside a JSON value.
    public func mask(_ value: JSON) -> JSON {
        switch value {
        case .string(let s): return .string(mask(s))
        case .array(let a): return .array(a.map(mask))
        case .object(let o):
            var out = JSONObject(minimumCapacity: o.count)
            for (k, v) in o { out.appendUnchecked(k, mask(v)) }
            return .object(out)
        default: return value
        }
    }

    /// `scheme://user:password@host` becomes `scheme://user:***@host`.
    public static func maskURLPasswords(_ text: String) -> String {
        guard text.contains("://"), text.contains("@") else { return text }
        var out = ""
        var rest = Substring(text)
        while let schemeEnd = rest.range(of: "://") {
            out += rest[..<schemeEnd.upperBound]
            rest = rest[schemeEnd.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "\"" || $0 == "\n" || $0 == "?" || $0 == "#" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + "***" + authority[at...]
            } else {
                out += authority
            }
            rest = rest[authorityEnd...]
        }
        return out + rest
    }
}

import Synchronization

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard let first = target.first else { return nil }
        var i = startIndex
        while let start = self[i...].firstIndex(of: first) {
            if self[start...].hasPrefix(target) {
                return start..<index(start, offsetBy: target.count)
            }
            i = index(after: start)
        }
        return nil
    }
}

/// Where `${secrets.NAME}` values come from: the environment, then a dotenv-style secrets file.
public struct SecretSource: Sendable {
    public let environment: [String: String]
    public let file: [String: String]

    public init(environment: [String: String], fileContents: String? = nil) {
        self.environment = environment
        var parsed: [String: String] = [:]
        for rawLine in (fileContents ?? "").split(separator: "\n", omittingEmptySubsequences: true) {
            var line = rawLine.trimmingCharacters()
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)) }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingWhitespace()
            var value = String(line[line.index(after: eq)...]).trimmingWhitespace()
            if value.count >= 2, let f = value.first, f == "\"" || f == "'", value.last == f {
                value = String(value.dropFirst().dropLast())
            }
            parsed[key] = value
        }
        file = parsed
    }

    public func value(_ name: String) -> String? { environment[name] ?? file[name] }
}

extension Substring {
    func trimmingCharacters() -> String { String(self).trimmingWhitespace() }
}
