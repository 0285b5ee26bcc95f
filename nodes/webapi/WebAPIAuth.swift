import FlowCore
import FlowHTTP
import FlowJSON

/// How `webapi` authenticates each request (the `auth:` block), validated when the node is built.
enum WebAPIAuth: Sendable {
    case bearer(token: String)
    case basic(username: String, password: String)
    case apiKeyHeader(name: String, value: String)
    case apiKeyQuery(name: String, value: String)
    case oauth2(OAuth2ClientCredentials)

    static let types = ["bearer", "basic", "api_key", "oauth2_client_credentials"]

    /// The keys of `auth:`. The credential keys are secret: they are masked in every log, error and plan.
    static let fieldSpecs: [FieldSpec] = [
        FieldSpec("type", .choice(types), required: true, "`bearer`, `basic`, `api_key` or `oauth2_client_credentials`."),
        FieldSpec("token", .string, secret: true, "bearer: the token, sent as `Authorization: Bearer <token>`."),
        FieldSpec("username", .string, "basic: the user name."),
        FieldSpec("password", .string, secret: true, "basic: the password."),
        FieldSpec("name", .string, "api_key: the header (default `X-API-Key`) or query parameter (default `api_key`) name."),
        FieldSpec("value", .string, secret: true, "api_key: the key."),
        FieldSpec("in", .choice(["header", "query"]), "api_key: where the key goes, `header` (default) or `query`."),
        FieldSpec("token_url", .string, "oauth2_client_credentials: the token endpoint (http or https)."),
        FieldSpec("client_id", .string, "oauth2_client_credentials: the client id."),
        FieldSpec("client_secret", .string, secret: true, "oauth2_client_credentials: the client secret."),
        FieldSpec("scope", .string, "oauth2_client_credentials: the scope to ask for, if any."),
        FieldSpec("audience", .string, "oauth2_client_credentials: an `audience` parameter, for providers that need one."),
        FieldSpec("client_auth", .choice(["body", "basic"]),
                  "oauth2_client_credentials: send the client credentials in the form body (default) or as HTTP Basic."),
    ]

    /// Which keys each type needs and allows.
    static let keys: [String: (required: [String], allowed: Set<String>)] = [
        "bearer": (["token"], ["type", "token"]),
        "basic": (["username", "password"], ["type", "username", "password"]),
        "api_key": (["value"], ["type", "name", "value", "in"]),
        "oauth2_client_credentials": (["token_url", "client_id", "client_secret"],
                                      ["type", "token_url", "client_id", "client_secret", "scope", "audience", "client_auth"]),
    ]

    /// Builds the auth from a validated block, collecting located errors.
    static func parse(_ config: NodeConfig, into diagnostics: inout Diagnostics) -> WebAPIAuth? {
        guard let object = config.value("auth")?.objectValue else { return nil }
        guard let type = object["type"]?.stringValue, let keys = keys[type] else { return nil }
        var ok = true
        for key in keys.required where (object[key]?.interpolationText ?? "").isEmpty {
            diagnostics.append(config.error("`auth` of type `\(type)` needs `\(key)`", field: "auth",
                                            hint: "required for `\(type)`: " + keys.required.joined(separator: ", ")))
            ok = false
        }
        for (key, _) in object where !keys.allowed.contains(key) {
            diagnostics.append(config.error("`\(key)` does not apply to `auth` of type `\(type)`", field: "auth", key,
                                            hint: "keys for `\(type)`: " + keys.allowed.sorted().joined(separator: ", ")))
            ok = false
        }
        guard ok else { return nil }
        func text(_ key: String) -> String { object[key]?.interpolationText ?? "" }
        switch type {
        case "bearer":
            return .bearer(token: text("token"))
        case "basic":
            return .basic(username: text("username"), password: text("password"))
        case "api_key":
            if object["in"]?.stringValue == "query" {
                return .apiKeyQuery(name: object["name"]?.stringValue ?? "api_key", value: text("value"))
            }
            return .apiKeyHeader(name: object["name"]?.stringValue ?? "X-API-Key", value: text("value"))
        default:
            let tokenURL = text("token_url")
            if let problem = WebURL.problem(tokenURL) ?? (WebURL.scheme(tokenURL) == "file" ? "the token endpoint must be http or https" : nil) {
                diagnostics.append(config.error("`auth.token_url`: \(problem)", field: "auth", "token_url"))
                return nil
            }
            return .oauth2(OAuth2ClientCredentials(
                tokenURL: tokenURL, clientID: text("client_id"), clientSecret: text("client_secret"),
                scope: object["scope"]?.stringValue, audience: object["audience"]?.stringValue,
                basicClientAuth: object["client_auth"]?.stringValue == "basic"))
        }
    }

    /// Values that must never be printed, registered with the run's masker when the node starts.
    var secrets: [String] {
        switch self {
        case .bearer(let token): return [token]
        case .basic(let username, let password): return [password, Base64.encode(Array("\(username):\(password)".utf8))]
        case .apiKeyHeader(_, let value), .apiKeyQuery(_, let value): return [value, WebURL.percentEncode(value)]
        case .oauth2(let c): return [c.clientSecret, WebURL.percentEncode(c.clientSecret)]
        }
    }
}

/// The OAuth 2.0 client credentials grant (RFC 6749 §4.4) settings.
struct OAuth2ClientCredentials: Sendable {
    var tokenURL: String
    var clientID: String
    var clientSecret: String
    var scope: String?
    var audience: String?
    var basicClientAuth: Bool
}

/// Fetches and caches the access token of one node: concurrent requests share one token request,
/// the token is reused until shortly before it expires, and a 401 makes the next caller fetch a new one.
actor OAuth2TokenCache {
    let credentials: OAuth2ClientCredentials
    let client: HTTPClient
    let masker: SecretMasker
    let timeout: Duration
    private var token: String?
    private var expires: ContinuousClock.Instant?
    private var pending: Task<(String, ContinuousClock.Instant?), any Error>?
    /// How many tokens were fetched (the `oauth2_tokens` metric).
    private(set) var fetched = 0

    init(credentials: OAuth2ClientCredentials, client: HTTPClient, masker: SecretMasker, timeout: Duration) {
        self.credentials = credentials
        self.client = client
        self.masker = masker
        self.timeout = timeout
    }

    /// A valid access token, fetched when there is none or it is about to expire.
    func current() async throws -> String {
        if let token, expires.map({ ContinuousClock.now < $0 }) ?? true { return token }
        if let pending { return try await pending.value.0 }
        let task = Task { try await self.fetch() }
        pending = task
        defer { pending = nil }
        let (value, expiry) = try await task.value
        token = value
        expires = expiry
        fetched += 1
        return value
    }

    /// Forgets `rejected` (the server answered 401 with it), so that the next call fetches a new token.
    func invalidate(_ rejected: String) {
        if token == rejected {
            token = nil
            expires = nil
        }
    }

    private func fetch() async throws -> (String, ContinuousClock.Instant?) {
        var form: [(String, String)] = [("grant_type", "client_credentials")]
        var headers: HTTPHeaders = ["Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"]
        if credentials.basicClientAuth {
            let pair = WebURL.percentEncode(credentials.clientID) + ":" + WebURL.percentEncode(credentials.clientSecret)
            let encoded = Base64.encode(Array(pair.utf8))
            masker.add(encoded)
            headers.add(name: "Authorization", value: "Basic " + encoded)
        } else {
            form += [("client_id", credentials.clientID), ("client_secret", credentials.clientSecret)]
        }
        if let scope = credentials.scope { form.append(("scope", scope)) }
        if let audience = credentials.audience { form.append(("audience", audience)) }
        let request = HTTPRequest(method: "POST", url: credentials.tokenURL, headers: headers,
                                  body: Array(WebURL.formEncode(form).utf8), timeout: timeout, maxResponseBytes: 1 << 20)
        let started = ContinuousClock.now
        let response: HTTPResponse
        do {
            response = try await client.execute(request)
        } catch {
            throw WebAPIFailure("OAuth2 token request to \(URLMasking.mask(credentials.tokenURL)) failed: \(error)")
        }
        let document = try? JSONParser.parse(bytes: response.body)
        guard response.isSuccess, let token = document?["access_token"]?.stringValue, !token.isEmpty else {
            let detail = document?["error_description"]?.stringValue ?? document?["error"]?.stringValue
                ?? String(decoding: response.body.prefix(200), as: UTF8.self)
            throw WebAPIFailure("OAuth2 token request to \(URLMasking.mask(credentials.tokenURL)) answered \(response.status) without an access token: \(detail)",
                                hint: "check `auth.client_id`, `auth.client_secret` and `auth.scope`")
        }
        masker.add(token)
        // Renew 30 seconds (or a tenth of the lifetime, if shorter) before the token expires.
        var expiry: ContinuousClock.Instant?
        if let seconds = document?["expires_in"]?.doubleValue, seconds > 0 {
            let margin = min(30, seconds / 10)
            expiry = started + .milliseconds(Int64((seconds - margin) * 1000))
        }
        return (token, expiry)
    }
}

/// An error message for the node's failure; `WebAPINode` masks it and adds the node id.
struct WebAPIFailure: Error, CustomStringConvertible {
    var message: String
    var hint: String?
    init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    var description: String { message + (hint.map { " (\($0))" } ?? "") }
}
