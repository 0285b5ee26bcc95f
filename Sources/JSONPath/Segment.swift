import FlowJSON

/// A compiled segment (RFC 9535 §2.5): selectors applied to a node's children, or to the node and
/// all of its descendants.
enum Segment: Sendable {
    case child([Selector])
    case descendant([Selector])

    /// The step when this segment selects at most one child by name or index, as singular queries do.
    var singularStep: SingularStep? {
        guard case .child(let selectors) = self, selectors.count == 1 else { return nil }
        switch selectors[0] {
        case .name(let name): return .name(name)
        case .index(let index): return .index(index)
        default: return nil
        }
    }
}

/// Compiled segments, with the longest tail of singular segments resolved as plain steps.
struct SegmentPath: Sendable {
    let segments: [Segment]
    /// The index from which every segment selects at most one child by name or index.
    let singularStart: Int
    /// The steps of `segments[singularStart...]`.
    let singularTail: [SingularStep]

    init(_ segments: [Segment]) {
        self.segments = segments
        var start = segments.count
        while start > 0, segments[start - 1].singularStep != nil { start -= 1 }
        singularStart = start
        singularTail = segments[start...].map { $0.singularStep! }
    }

    /// The steps of the whole path, when every segment is singular.
    var singularSteps: [SingularStep]? { singularStart == 0 ? singularTail : nil }
}

/// A compiled selector (RFC 9535 §2.3).
enum Selector: Sendable {
    case name(String)
    case wildcard
    case index(Int)
    case slice(start: Int?, end: Int?, step: Int?)
    case filter(LogicalExpression)
}

/// One step of a singular query: resolved without building node lists.
enum SingularStep: Sendable {
    case name(String)
    case index(Int)
}

extension [SingularStep] {
    /// Follows the steps from `node`; nil when a step finds nothing.
    func resolve(from node: JSON) -> JSON? {
        var current = node
        for step in self {
            switch step {
            case .name(let name):
                guard case .object(let object) = current, let i = object.exactPosition(of: name) else { return nil }
                current = object.values[i]
            case .index(let index):
                guard case .array(let array) = current, let i = array.normalizedIndex(index) else { return nil }
                current = array[i]
            }
        }
        return current
    }
}

extension JSONObject {
    /// The position of the member whose name has exactly the Unicode scalars of `name`.
    ///
    /// `position(of:)` compares with `String ==`, which treats canonically equivalent strings as
    /// equal; RFC 9535 compares names scalar by scalar, so a hit is confirmed on the UTF-8 bytes.
    func exactPosition(of name: String) -> Int? {
        guard let i = position(of: name) else { return nil }
        if keys[i].hasSameScalars(as: name) { return i }
        return keys.firstIndex { $0.hasSameScalars(as: name) }
    }
}

extension String {
    /// Equality of Unicode scalar sequences, which `==` (canonical equivalence) is not.
    func hasSameScalars(as other: String) -> Bool {
        let contiguous = utf8.withContiguousStorageIfAvailable { mine in
            other.utf8.withContiguousStorageIfAvailable { theirs in mine.elementsEqual(theirs) }
        }
        if let contiguous, let result = contiguous { return result }
        return utf8.elementsEqual(other.utf8)
    }
}

extension [JSON] {
    /// `index` from the end when negative (RFC 9535 §2.3.3.2), or nil when out of bounds.
    func normalizedIndex(_ index: Int) -> Int? {
        let i = index < 0 ? count + index : index
        return i >= 0 && i < count ? i : nil
    }
}
