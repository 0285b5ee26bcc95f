import FlowJSON

/// Statuses that count as success.
struct StatusSet: Sendable {
    var ranges: [ClosedRange<Int>] = []

    /// Adds `404`, `"4xx"` or `"400-404"`; false when the value is none of these.
    mutating func add(_ value: JSON) -> Bool {
        if let n = value.intValue, (100...599).contains(n) {
            ranges.append(n...n)
            return true
        }
        guard let text = value.stringValue?.lowercased().trimmingSpaces else { return false }
        if text.count == 3, text.hasSuffix("xx"), let c = Int(text.prefix(1)), (1...5).contains(c) {
            ranges.append(c * 100...c * 100 + 99)
            return true
        }
        let parts = text.split(separator: "-").map { Int($0.trimmingSpaces) }
        if parts.count == 2, let a = parts[0], let b = parts[1], a <= b, (100...599).contains(a), (100...599).contains(b) {
            ranges.append(a...b)
            return true
        }
        if let n = Int(text), (100...599).contains(n) {
            ranges.append(n...n)
            return true
        }
        return false
    }

    func accepts(_ status: Int) -> Bool {
        if ranges.isEmpty { return (200..<300).contains(status) }
        return (200..<300).contains(status) || ranges.contains { $0.contains(status) }
    }
}
