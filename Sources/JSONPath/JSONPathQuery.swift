import FlowJSON

/// A compiled RFC 9535 JSONPath query.
///
/// Compile once, apply to many values: `select` walks the compiled form and never re-parses.
/// Queries made only of `.name`, `['name']` and `[index]` segments resolve without building node lists.
///
///     let query = try JSONPathQuery("$.products[?@.price < 10].id")
///     let ids = query.select(document)
public struct JSONPathQuery: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let text: String
    let path: SegmentPath

    /// Compiles `text`, or throws a ``JSONPathError`` giving the position of the first problem.
    public init(_ text: String) throws(JSONPathError) {
        self.text = text
        path = SegmentPath(try JSONPathParser.parse(text))
    }

    /// True when the query selects at most one node in any document (RFC 9535 §2.3.5.1).
    public var isSingular: Bool { path.singularStart == 0 }

    /// The values of the selected nodes, in nodelist order.
    public func select(_ root: JSON) -> [JSON] {
        if let steps = path.singularSteps {
            guard let node = steps.resolve(from: root) else { return [] }
            return [node]
        }
        var sink = CollectingSink()
        var trail = NoTrail()
        Walker(root: root, path: path).walk(from: 0, root, &trail, &sink)
        return sink.nodes
    }

    /// The first selected value, or nil when the nodelist is empty; stops walking at the first node.
    public func selectFirst(_ root: JSON) -> JSON? {
        if let steps = path.singularSteps { return steps.resolve(from: root) }
        var sink = CountingSink(limit: 1)
        var trail = NoTrail()
        Walker(root: root, path: path).walk(from: 0, root, &trail, &sink)
        return sink.first
    }

    /// The selected nodes with their Normalized Paths, in nodelist order.
    public func selectLocated(_ root: JSON) -> [(path: NormalizedPath, value: JSON)] {
        var sink = LocatingSink()
        var trail = PathTrail()
        Walker(root: root, path: path).walk(from: 0, root, &trail, &sink)
        return sink.results
    }

    public var description: String { text }

    /// Queries are equal when their texts are.
    public static func == (lhs: JSONPathQuery, rhs: JSONPathQuery) -> Bool { lhs.text == rhs.text }

    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}
