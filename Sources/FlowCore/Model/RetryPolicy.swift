import FlowJSON

/// How often and how patiently an operation is retried.
public struct RetryPolicy: Sendable, Equatable {
    public enum Backoff: String, Sendable, Equatable {
        case exponential
        case constant
    }

    /// Total tries, the first included: 1 means no retry.
    public var attempts: Int
    public var backoff: Backoff
    public var initial: Duration
    public var max: Duration
    /// Randomises each delay between 50% and 100% of its value so that clients do not retry in step.
    public var jitter: Bool

    public init(attempts: Int = 1, backoff: Backoff = .exponential, initial: Duration = .seconds(1),
                max: Duration = .seconds(30), jitter: Bool = true) {
        self.attempts = attempts
        self.backoff = backoff
        self.initial = initial
        self.max = max
        self.jitter = jitter
    }

    public static let none = RetryPolicy()

    /// The wait before try number `attempt + 1` (`attempt` counts from 1).
    public func delay(after attempt: Int) -> Duration {
        var base = initial
        if backoff == .exponential {
            let factor = 1 << Swift.min(Swift.max(attempt - 1, 0), 30)
            base = initial * factor
        }
        if base > max { base = max }
        guard jitter else { return base }
        return base * Double.random(in: 0.5...1.0)
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec("attempts", .integer, default: 1, "Total tries including the first; 1 disables retries."),
        FieldSpec("backoff", .choice(["exponential", "constant"]), default: "exponential", "How the wait grows between tries."),
        FieldSpec("initial", .duration, default: "1s", "Wait before the second try."),
        FieldSpec("max", .duration, default: "30s", "Longest wait between tries."),
        FieldSpec("jitter", .boolean, default: true, "Randomise waits between 50% and 100% of their value."),
    ]

    /// Builds a policy from a validated `retry:` mapping over `base`.
    static func from(_ value: JSON, over base: RetryPolicy) -> RetryPolicy {
        var policy = base
        if let n = value["attempts"]?.intValue { policy.attempts = Swift.max(1, n) }
        if let b = value["backoff"]?.stringValue, let backoff = Backoff(rawValue: b) { policy.backoff = backoff }
        if let d = value["initial"].flatMap(DurationParser.parse) { policy.initial = d }
        if let d = value["max"].flatMap(DurationParser.parse) { policy.max = d }
        if let j = value["jitter"]?.boolValue { policy.jitter = j }
        return policy
    }
}

/// Parses durations such as `250ms`, `30s`, `5m`, `1h30m` or a bare number of seconds.
public enum DurationParser {
    public static func parse(_ value: JSON) -> Duration? {
        switch value {
        case .int(let i): return i >= 0 ? .seconds(i) : nil
        case .double(let d): return d >= 0 && d.isFinite ? .milliseconds(Int64((d * 1000).rounded())) : nil
        case .string(let s): return parse(s)
        default: return nil
        }
    }

    public static func parse(_ text: String) -> Duration? {
        let text = text.trimmingWhitespace()
        guard !text.isEmpty else { return nil }
        if let seconds = Double(text), seconds >= 0 { return .milliseconds(Int64((seconds * 1000).rounded())) }
        var total = Duration.zero
        var index = text.startIndex
        var sawComponent = false
        while index < text.endIndex {
            var numberEnd = index
            while numberEnd < text.endIndex, text[numberEnd].isNumber || text[numberEnd] == "." {
                numberEnd = text.index(after: numberEnd)
            }
            guard numberEnd > index, let amount = Double(text[index..<numberEnd]) else { return nil }
            var unitEnd = numberEnd
            while unitEnd < text.endIndex, text[unitEnd].isLetter { unitEnd = text.index(after: unitEnd) }
            let unit = text[numberEnd..<unitEnd]
            let millis: Double
            switch unit {
            case "ms": millis = amount
            case "s", "sec": millis = amount * 1000
            case "m", "min": millis = amount * 60_000
            case "h": millis = amount * 3_600_000
            case "d": millis = amount * 86_400_000
            default: return nil
            }
            total += .milliseconds(Int64(millis.rounded()))
            sawComponent = true
            index = unitEnd
        }
        return sawComponent ? total : nil
    }

    /// `1.5s`, `250ms`, `2m03s`: short text for summaries.
    public static func format(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        if ms < 1000 { return ms < 10 ? String(format1: ms) + "ms" : "\(Int(ms.rounded()))ms" }
        let seconds = ms / 1000
        if seconds < 60 { return String(format1: seconds, digits: 2) + "s" }
        let minutes = Int(seconds) / 60
        let rest = Int(seconds) % 60
        if minutes < 60 { return "\(minutes)m" + (rest < 10 ? "0" : "") + "\(rest)s" }
        return "\(minutes / 60)h" + (minutes % 60 < 10 ? "0" : "") + "\(minutes % 60)m"
    }
}

extension String {
    /// `value` with a fixed number of decimals, without Foundation.
    init(format1 value: Double, digits: Int = 1) {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (value * scale).rounded()
        let whole = Int(scaled / scale)
        let frac = Int(abs(scaled) - abs(Double(whole)) * scale)
        var fracText = String(frac)
        while fracText.count < digits { fracText = "0" + fracText }
        self = "\(whole).\(fracText)"
    }

    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
