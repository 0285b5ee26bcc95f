import FlowJSON

/// A workflow-level notification: which run outcomes trigger it and the one channel it uses.
public struct NotifyRule: Sendable {
    public enum Event: String, Sendable, CaseIterable {
        case success, failure, cancelled
    }

    public var events: Set<Event>
    /// `slack`, `email` or `webhook`.
    public var channel: String
    /// The channel's fields as written (templates are resolved when the run ends).
    public var fields: YAMLNode
    public var location: SourceLocation
}

/// The fields of each notification channel, shared by workflow-level `notify:` and the `notify` node.
public enum NotifyChannels {
    public static let slack: [FieldSpec] = [
        FieldSpec("webhook", .string, required: true, secret: true, "Slack incoming-webhook URL (a secret: use `${secrets.NAME}`)."),
        FieldSpec("channel", .string, "Channel override, e.g. `#data-alerts`."),
        FieldSpec("username", .string, "Sender name shown in Slack."),
        FieldSpec("text", .string, "Message template with `${...}`; a summary of the run when omitted."),
    ]

    public static let email: [FieldSpec] = [
        FieldSpec("smtp", .string, required: true, secret: true,
                  "SMTP server URL: `smtp://host:port` (STARTTLS when offered) or `smtps://host:port`."),
        FieldSpec("username", .string, "SMTP user for AUTH."),
        FieldSpec("password", .string, secret: true, "SMTP password (use `${secrets.NAME}`)."),
        FieldSpec("from", .string, required: true, "Sender address."),
        FieldSpec("to", .oneOf([.string, .list(.string)]), required: true, "Recipient address(es)."),
        FieldSpec("cc", .oneOf([.string, .list(.string)]), "Copy recipient address(es)."),
        FieldSpec("subject", .string, "Subject template; `[flow] <workflow> <status>` when omitted."),
        FieldSpec("body", .string, "Body template; a summary of the run when omitted."),
    ]

    public static let webhook: [FieldSpec] = [
        FieldSpec("url", .string, required: true, secret: true, "Endpoint that receives the run summary as JSON."),
        FieldSpec("method", .choice(["POST", "PUT"]), default: "POST", "HTTP method."),
        FieldSpec("headers", .map(.string), "Extra request headers (values may use `${secrets.NAME}`)."),
        FieldSpec("body", .any, "JSON body template; the run summary when omitted."),
    ]

    public static let all: [(name: String, fields: [FieldSpec])] = [("slack", slack), ("email", email), ("webhook", webhook)]
}
