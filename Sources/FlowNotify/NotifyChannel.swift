import FlowCore
import FlowHTTP
import FlowJSON

/// One notification channel with its fields resolved: where and how to send.
public enum NotifyChannel: Sendable {
    case slack(Slack)
    case email(Email)
    case webhook(Webhook)

    /// A Slack incoming webhook.
    public struct Slack: Sendable {
        public var webhook: String
        public var channel: String?
        public var username: String?
        /// Replaces the default headline and fallback text; the run details stay below it.
        public var text: String?
    }

    /// A mail through an SMTP server.
    public struct Email: Sendable {
        public var smtp: String
        public var username: String?
        public var password: String?
        public var from: MailAddress
        public var to: [MailAddress]
        public var cc: [MailAddress]
        public var subject: String?
        public var body: String?
    }

    /// A JSON request to any HTTP endpoint.
    public struct Webhook: Sendable {
        public var url: String
        public var method: String
        public var headers: [(name: String, value: String)]
        /// Replaces the default body (the run summary).
        public var body: JSON?
    }

    /// `slack`, `email` or `webhook`.
    public var name: String {
        switch self {
        case .slack: "slack"
        case .email: "email"
        case .webhook: "webhook"
        }
    }

    /// Builds a channel from its resolved fields (the `NotifyChannels` specs), checking them with
    /// ``NotifyChannelCheck``.
    ///
    /// - Throws: ``NotifyError`` naming the first problem.
    public init(name: String, fields: JSON) throws(NotifyError) {
        if let problem = NotifyChannelCheck.problems(channel: name, fields: fields, skipTemplates: false).first {
            throw NotifyError.invalidChannel(name, problem.description)
        }
        func string(_ key: String) -> String? {
            guard let value = fields[key], !value.isNull else { return nil }
            return value.interpolationText
        }
        func addresses(_ key: String) -> [MailAddress] {
            switch fields[key] {
            case .string(let s)?: return NotifyChannelCheck.addressList(s).compactMap(NotifyChannelCheck.parseAddress)
            case .array(let items)?: return items.compactMap { $0.stringValue.flatMap(NotifyChannelCheck.parseAddress) }
            default: return []
            }
        }
        switch name {
        case "slack":
            self = .slack(Slack(webhook: string("webhook") ?? "", channel: string("channel"), username: string("username"),
                                text: string("text")))
        case "email":
            guard let from = string("from").flatMap(NotifyChannelCheck.parseAddress) else {
                throw NotifyError.invalidChannel(name, "`from` is not an address")
            }
            self = .email(Email(smtp: string("smtp") ?? "", username: string("username"), password: string("password"),
                                from: from, to: addresses("to"), cc: addresses("cc"), subject: string("subject"),
                                body: string("body")))
        case "webhook":
            var headers: [(String, String)] = []
            for (key, value) in fields["headers"]?.objectValue ?? [:] { headers.append((key, value.interpolationText)) }
            let body = fields["body"].flatMap { $0.isNull ? nil : $0 }
            self = .webhook(Webhook(url: string("url") ?? "", method: string("method") ?? "POST",
                                    headers: headers.map { (name: $0.0, value: $0.1) }, body: body))
        default:
            throw NotifyError.invalidChannel(name, "unknown channel `\(name)`; use slack, email or webhook")
        }
    }

    /// The names of the channel's secret fields (webhook URLs, SMTP URLs, passwords).
    public static func secretFields(of channel: String) -> [String] {
        NotifyChannels.all.first { $0.name == channel }?.fields.filter(\.secret).map(\.name) ?? []
    }
}
