/// Why a notification could not be built or sent. Messages are free of secrets once passed through
/// the run's masker (the notifier does that).
public struct NotifyError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case invalidChannel
        case template
        case sendFailed
    }

    private let code: Code
    public let message: String

    private init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    static func invalidChannel(_ channel: String, _ problem: String) -> NotifyError {
        NotifyError(code: .invalidChannel, message: "`\(channel)` notification: \(problem)")
    }

    static func template(_ channel: String, _ problem: String) -> NotifyError {
        NotifyError(code: .template, message: "`\(channel)` notification: cannot evaluate a template: \(problem)")
    }

    static func sendFailed(_ message: String) -> NotifyError {
        NotifyError(code: .sendFailed, message: message)
    }

    public var description: String { message }
}
