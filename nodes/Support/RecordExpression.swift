import FlowCore
import FlowJSON

/// An expression over one record, bound once for a run, with a fast path for plain field paths.
///
/// `customer` or `order.id` are by far the most common keys and values. Looking them up directly
/// costs a few dictionary reads, against about 3 µs per record for the general evaluator (which
/// was half of `kafka_produce`'s time per record). The fast path is taken only where its meaning
/// is certain: every step meets an object, and the result is not an array. Anything else (arrays,
/// which JSONata maps over, or scalars) goes to the general evaluator, so results never differ.
struct RecordExpression: Sendable {
    private let bound: any BoundExpression
    private let path: [String]?

    init(_ expression: any CompiledExpression, source: String, bindings: ExpressionBindings) {
        bound = expression.bound(to: bindings)
        path = Self.fieldPath(source)
    }

    @inline(__always)
    func evaluate(_ record: JSON) throws(ExpressionError) -> JSON? {
        if let path {
            var current = record
            var direct = true
            for name in path {
                guard case .object(let object) = current else {
                    direct = false
                    break
                }
                guard let next = object[name] else { return nil }
                current = next
            }
            if direct {
                if case .array = current {} else { return current }
            }
        }
        return try bound.evaluate(record)
    }

    /// The names of `a.b.c` when `source` is nothing but dot-separated plain names.
    static func fieldPath(_ source: String) -> [String]? {
        let trimmed = source.trimmingPathWhitespace()
        guard !trimmed.isEmpty else { return nil }
        let names = trimmed.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for name in names {
            guard let first = name.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
                name.unicodeScalars.allSatisfy({ $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) }),
                !keywords.contains(name)
            else { return nil }
        }
        return names
    }

    /// Names that are literals or operators in JSONata rather than field names.
    private static let keywords: Set<String> = ["true", "false", "null", "and", "or", "in", "function"]
}

extension String {
    fileprivate func trimmingPathWhitespace() -> Substring {
        var text = self[...]
        while let first = text.first, first.isWhitespace { text = text.dropFirst() }
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return text
    }
}
