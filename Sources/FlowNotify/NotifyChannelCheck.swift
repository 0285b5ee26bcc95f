import Foundation
import FlowCore
import FlowHTTP
import FlowJSON

/// The checks a channel's fields must pass beyond their types: URL schemes, addresses, headers.
///
/// Used three times: by `flow validate` on workflow-level rules (``NotifyValidation``), by the
/// `notify` node when it is built, and on the resolved fields just before sending.
public enum NotifyChannelCheck {
    /// One problem with a field: `path` is the field and any key or index inside it.
    public struct Problem: Sendable, CustomStringConvertible {
        public var path: [String]
        public var message: String
        public var hint: String?

        public var description: String { message + (hint.map { " (\($0))" } ?? "") }
    }

    /// Every problem in `fields` of channel `channel`. With `skipTemplates`, strings holding `${...}`
    /// are not checked (they are only known when the notification is sent).
    public static func problems(channel: String, fields: JSON, skipTemplates: Bool = true) -> [Problem] {
        var problems: [Problem] = []
        func text(_ key: String) -> String? {
            guard let value = fields[key], !value.isNull else { return nil }
            let s = value.interpolationText
            return skipTemplates && Template.containsInterpolation(s) ? nil : s
        }
        func present(_ key: String) -> Bool { fields[key].map { !$0.isNull } ?? false }
        func checkURL(_ key: String, schemes: [String], example: String) {
            guard let url = text(key) else { return }
            // The URL is a secret: messages never quote it.
            guard let scheme = scheme(of: url) else {
                problems.append(Problem(path: [key], message: "`\(key)` is not a URL", hint: "write it like `\(example)`"))
                return
            }
            guard schemes.contains(scheme) else {
                problems.append(Problem(
                    path: [key], message: "`\(key)` must be a \(schemes.map { "`\($0)://`" }.joined(separator: " or ")) URL, found `\(scheme)://`",
                    hint: "write it like `\(example)`"))
                return
            }
            if host(of: url).isEmpty {
                problems.append(Problem(path: [key], message: "`\(key)` has no host", hint: "write it like `\(example)`"))
            }
        }
        func checkAddresses(_ key: String, required: Bool) {
            let values: [(String, [String])]
            switch fields[key] {
            case .string(let s)?: values = addressList(s).map { ($0, [key]) }
            case .array(let items)?:
                values = items.enumerated().compactMap { i, item in item.stringValue.map { ($0, [key, String(i)]) } }
            default: values = []
            }
            if required && values.isEmpty && present(key) == false { return }  // `required` is the loader's job
            if required, case .array(let items)? = fields[key], items.isEmpty {
                problems.append(Problem(path: [key], message: "`\(key)` lists no recipient", hint: "add at least one address"))
            }
            for (value, path) in values {
                if skipTemplates && Template.containsInterpolation(value) { continue }
                if parseAddress(value) == nil {
                    problems.append(Problem(path: path, message: "`\(value)` in `\(key)` is not an email address",
                                            hint: "write `name@example.com` or `Name <name@example.com>`"))
                }
            }
        }

        switch channel {
        case "slack":
            checkURL("webhook", schemes: ["https", "http"], example: "https://hooks.slack.com/services/T000/B000/XXXX")
        case "email":
            checkURL("smtp", schemes: ["smtp", "smtps"], example: "smtp://mail.example.com:587")
            if let from = text("from"), parseAddress(from) == nil {
                problems.append(Problem(path: ["from"], message: "`from` is not an email address: `\(from)`",
                                        hint: "write `flow@example.com` or `Flow <flow@example.com>`"))
            }
            checkAddresses("to", required: true)
            checkAddresses("cc", required: false)
            if present("password") && !present("username") {
                problems.append(Problem(path: ["password"], message: "`password` is set without `username`",
                                        hint: "add `username:` for SMTP AUTH"))
            }
        case "webhook":
            checkURL("url", schemes: ["https", "http"], example: "https://example.com/hooks/flow")
            for (name, value) in fields["headers"]?.objectValue ?? [:] {
                if name.isEmpty || !name.unicodeScalars.allSatisfy(isTokenCharacter) {
                    problems.append(Problem(path: ["headers", name], message: "`\(name)` is not a valid header name"))
                }
                if value.interpolationText.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                    problems.append(Problem(path: ["headers", name], message: "header `\(name)` contains a line break"))
                }
            }
        default:
            problems.append(Problem(path: [], message: "unknown channel `\(channel)`", hint: "use slack, email or webhook"))
        }
        return problems
    }

    /// The scheme of a URL, lowercased, or nil when `text` has none.
    static func scheme(of text: String) -> String? {
        guard let r = text.range(of: "://") else { return nil }
        let scheme = text[..<r.lowerBound]
        guard let first = scheme.first, first.isLetter,
              scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == "." })
        else { return nil }
        return scheme.lowercased()
    }

    /// The host (and port) part of a URL: between `://` (and any user info) and the path.
    static func host(of text: String) -> Substring {
        guard let r = text.range(of: "://") else { return "" }
        let rest = text[r.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if let at = authority.lastIndex(of: "@") { return authority[authority.index(after: at)...] }
        return authority
    }

    /// `a@x, b@y` as separate addresses.
    static func addressList(_ text: String) -> [String] {
        text.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
    }

    /// `name@example.com` or `Display Name <name@example.com>`; nil when it does not look like an address.
    public static func parseAddress(_ text: String) -> MailAddress? {
        let trimmed = text.trimmed
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]).trimmed
            var name = String(trimmed[..<open]).trimmed
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") { name = String(name.dropFirst().dropLast()) }
            guard isAddress(address) else { return nil }
            return MailAddress(address, name: name.isEmpty ? nil : name)
        }
        return isAddress(trimmed) ? MailAddress(trimmed) : nil
    }

    /// A bare `local@domain` address: one `@`, no spaces or special characters, a plausible domain.
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else { return false }
        let forbidden: Set<Character> = [" ", "\t", "\r", "\n", "<", ">", ",", ";", "\"", "(", ")", "[", "]", "\\", ":"]
        guard !local.contains(where: forbidden.contains) else { return false }
        guard !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains("..") else { return false }
        return domain.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." }
    }

    static func isTokenCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar))
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s.removeLast() }
        return String(s)
    }
}
