import FlowJSON
import Foundation

/// Slack Block Kit helpers, within Slack's size limits.
enum SlackText {
    /// `&`, `<` and `>` are control characters in Slack text.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    static func limit(_ text: String, _ max: Int) -> String {
        text.count <= max ? text : String(text.prefix(max - 1)) + "…"
    }

    static func mrkdwn(_ text: String) -> JSON {
        ["type": "mrkdwn", "text": .string(limit(text, 2000))]
    }

    static func header(_ text: String) -> JSON {
        ["type": "header", "text": ["type": "plain_text", "text": .string(limit(text, 150)), "emoji": true]]
    }

    /// A section of mrkdwn text (Slack allows 3000 characters).
    static func section(_ text: String) -> JSON {
        var t = limit(text, 3000)
        // Keep a code block closed when the limit cut it.
        if t.hasSuffix("…"), t.components(separatedBy: "```").count % 2 == 0 { t = String(t.dropLast(4)) + "…```" }
        return ["type": "section", "text": ["type": "mrkdwn", "text": .string(t)]]
    }
}
