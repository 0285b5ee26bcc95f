import FlowCore
import FlowHTTP
import FlowJSON

/// Sends one notification on one channel, with retries, and reports how it went. Never throws:
/// a notification that cannot be sent is an outcome, which the caller logs and records.
public struct Notifier: Sendable {
    /// How often and how long to try.
    public struct RetryPolicy: Sendable {
        public var attempts: Int
        /// The wait before the second attempt; doubled for each further one.
        public var initialDelay: Duration
        public var maxDelay: Duration
        /// The longest `Retry-After` honoured; a longer one ends the retries.
        public var maxRetryAfter: Duration
        public var timeout: Duration

        public init(attempts: Int = 3, initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
                    maxRetryAfter: Duration = .seconds(60), timeout: Duration = .seconds(30)) {
            self.attempts = attempts
            self.initialDelay = initialDelay
            self.maxDelay = maxDelay
            self.maxRetryAfter = maxRetryAfter
            self.timeout = timeout
        }

        public static let standard = RetryPolicy()
    }

    public let client: HTTPClient
    public let retry: RetryPolicy
    /// Every error message passes through it.
    public let masker: SecretMasker

    public init(client: HTTPClient = .shared, retry: RetryPolicy = .standard, masker: SecretMasker) {
        self.client = client
        self.retry = retry
        self.masker = masker
    }

    /// Sends `message` (or what the channel's own fields replace in it) on `channel`.
    public func send(_ channel: NotifyChannel, message: NotificationMessage) async -> NotificationOutcome {
        registerSecrets(of: channel)
        switch channel {
        case .slack(let slack):
            let payload = Self.slackPayload(slack, message: message)
            return await post(url: slack.webhook, method: "POST", headers: [], body: payload, channel: "slack")
        case .webhook(let webhook):
            return await post(url: webhook.url, method: webhook.method, headers: webhook.headers,
                              body: webhook.body ?? message.webhookBody, channel: "webhook")
        case .email(let email):
            return await mail(email, message: message)
        }
    }

    /// Hides the channel's secret values (and their URL-masked forms, which errors quote) in all output.
    func registerSecrets(of channel: NotifyChannel) {
        func url(_ u: String) {
            masker.add(u)
            masker.add(URLMasking.mask(u))
        }
        switch channel {
        case .slack(let s): url(s.webhook)
        case .webhook(let w): url(w.url)
        case .email(let e):
            url(e.smtp)
            if let p = e.password { masker.add(p) }
        }
    }

    // MARK: payloads

    /// Slack's incoming-webhook format: `text` (the fallback for notifications) and `blocks`.
    public static func slackPayload(_ slack: NotifyChannel.Slack, message: NotificationMessage) -> JSON {
        var blocks = message.slackBlocks
        var text = message.text
        if let custom = slack.text {
            text = custom
            let headline = SlackText.section(SlackText.escape(custom))
            if blocks.isEmpty { blocks = [headline] } else { blocks[0] = headline }
        }
        var payload: JSONObject = ["text": .string(SlackText.limit(text, 3000)), "blocks": .array(Array(blocks.prefix(50)))]
        if let channel = slack.channel, !channel.isEmpty { payload["channel"] = .string(channel) }
        if let username = slack.username, !username.isEmpty { payload["username"] = .string(username) }
        return .object(payload)
    }

    /// The RFC 5322 message of an email notification.
    public static func mailMessage(_ email: NotifyChannel.Email, message: NotificationMessage) -> MailMessage {
        MailMessage(from: email.from, to: email.to, cc: email.cc, subject: email.subject ?? message.subject,
                    text: email.body ?? message.text, html: email.body == nil ? message.html : nil,
                    extraHeaders: [("X-Mailer", "flow")])
    }

    // MARK: sending

    func post(url: String, method: String, headers: [(name: String, value: String)], body: JSON,
              channel: String) async -> NotificationOutcome {
        var requestHeaders = HTTPHeaders()
        requestHeaders.add(name: "Content-Type", value: "application/json; charset=utf-8")
        for h in headers { requestHeaders.replaceOrAdd(name: h.name, value: h.value) }
        let request = HTTPRequest(method: method, url: url, headers: requestHeaders, body: Array(body.serialized().utf8),
                                  timeout: retry.timeout, connectTimeout: .seconds(10), maxResponseBytes: 1_000_000)
        var attempt = 0
        var lastError = ""
        while attempt < retry.attempts {
            attempt += 1
            var wait: Duration?
            do {
                let response = try await client.execute(request)
                if response.isSuccess { return NotificationOutcome(channel: channel, sent: true, attempts: attempt) }
                lastError = "\(method) \(url) answered HTTP \(response.status)" + Self.snippet(response.body)
                guard response.isRetryableStatus else { break }
                if let after = response.retryAfter {
                    guard after <= retry.maxRetryAfter else {
                        lastError += " (Retry-After \(after.components.seconds)s is longer than \(retry.maxRetryAfter.components.seconds)s)"
                        break
                    }
                    wait = after
                }
            } catch {
                if error.kind == .cancelled { return failed(channel, attempt, "cancelled") }
                lastError = "\(method) failed: \(error)"
                guard error.isRetryable else { break }
            }
            if attempt < retry.attempts {
                guard await pause(wait ?? delay(after: attempt)) else { return failed(channel, attempt, lastError + "; cancelled") }
            }
        }
        return failed(channel, attempt, lastError)
    }

    func mail(_ email: NotifyChannel.Email, message: NotificationMessage) async -> NotificationOutcome {
        let mail = Self.mailMessage(email, message: message)
        let smtp = SMTPMessage(url: email.smtp, username: email.username, password: email.password, mail: mail,
                               timeout: retry.timeout * 2, connectTimeout: .seconds(10))
        var attempt = 0
        var lastError = ""
        while attempt < retry.attempts {
            attempt += 1
            do {
                try await client.sendMail(smtp)
                return NotificationOutcome(channel: "email", sent: true, attempts: attempt)
            } catch {
                if error.kind == .cancelled { return failed("email", attempt, "cancelled") }
                lastError = "SMTP delivery failed: \(error)"
                guard error.isRetryable else { break }
            }
            if attempt < retry.attempts {
                guard await pause(delay(after: attempt)) else { return failed("email", attempt, lastError + "; cancelled") }
            }
        }
        return failed("email", attempt, lastError)
    }

    /// Exponential backoff with a little jitter: initial, 2×initial, ... up to `maxDelay`.
    func delay(after attempt: Int) -> Duration {
        var d = retry.initialDelay
        for _ in 1..<max(1, attempt) { d = min(d * 2, retry.maxDelay) }
        return d + retry.initialDelay * Double.random(in: 0..<0.2)
    }

    /// Sleeps; false when the task was cancelled.
    func pause(_ duration: Duration) async -> Bool {
        do {
            try await Task.sleep(for: duration)
            return true
        } catch {
            return false
        }
    }

    func failed(_ channel: String, _ attempts: Int, _ error: String) -> NotificationOutcome {
        NotificationOutcome(channel: channel, sent: false, attempts: attempts, error: masker.mask(error))
    }

    /// `: <start of the response body>` for error messages.
    static func snippet(_ body: [UInt8]) -> String {
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmed
        guard !text.isEmpty else { return "" }
        let oneLine = String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
        return ": " + oneLine + (body.count > 200 ? "…" : "")
    }
}
