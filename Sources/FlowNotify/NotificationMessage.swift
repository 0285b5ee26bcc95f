import FlowJSON

/// The default content of a notification; a channel's `text`/`subject`/`body` fields override parts.
public struct NotificationMessage: Sendable {
    public var subject: String
    /// Plain text: the email body and Slack's fallback text.
    public var text: String
    /// An HTML alternative for email, sent only with the default `text` (a custom `body` is plain text).
    public var html: String?
    /// Slack blocks; the first one is the headline that a custom `text` replaces.
    public var slackBlocks: [JSON]
    /// The webhook body.
    public var webhookBody: JSON

    public init(subject: String, text: String, html: String? = nil, slackBlocks: [JSON], webhookBody: JSON) {
        self.subject = subject
        self.text = text
        self.html = html
        self.slackBlocks = slackBlocks
        self.webhookBody = webhookBody
    }
}
