/// How one notification went.
public struct NotificationOutcome: Sendable {
    public var channel: String
    public var sent: Bool
    public var attempts: Int
    /// Why it failed, masked.
    public var error: String?

    public init(channel: String, sent: Bool, attempts: Int, error: String? = nil) {
        self.channel = channel
        self.sent = sent
        self.attempts = attempts
        self.error = error
    }

    /// `sent` or `failed`, as recorded in the run store.
    public var status: String { sent ? "sent" : "failed" }
}
