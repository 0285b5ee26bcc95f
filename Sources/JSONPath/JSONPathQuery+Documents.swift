import FlowJSON

/// One step of a query made only of `.name`, `['name']`, `[index]` and `[*]` segments: the shape
/// of nearly every query in workflows (`$.products[*]`, `$.dimensions.width`, `$.total`), and
/// one that can be answered on a document's bytes (`JSONDocuments`) without parsing it.
public enum JSONPathStep: Sendable, Hashable {
    case name(String)
    case index(Int)
    case wildcard
}

extension JSONPathQuery {
    /// The query as plain steps, or nil when it has other selectors (filters, slices, unions,
    /// descendants).
    public var plainSteps: [JSONPathStep]? {
        var steps: [JSONPathStep] = []
        for segment in path.segments {
            guard case .child(let selectors) = segment, selectors.count == 1 else { return nil }
            switch selectors[0] {
            case .name(let name): steps.append(.name(name))
            case .index(let index): steps.append(.index(index))
            case .wildcard: steps.append(.wildcard)
            default: return nil
            }
        }
        return steps
    }

    /// The byte ranges of the values the query selects in `text`, a validated compact document
    /// (`JSONDocuments`), starting from the value at `root`; at most `limit` of them. Nil when
    /// the query (or this document: a wildcard over an object) needs parsed values: parse and
    /// use `select` then.
    public func selectRanges(in text: JSONText, root: Range<Int>, limit: Int = .max) -> [Range<Int>]? {
        guard let steps = plainSteps else { return nil }
        var out: [Range<Int>] = []
        guard JSONPathStep.collect(steps[...], text, root, limit: limit, into: &out) else { return nil }
        return out
    }
}

extension JSONPathStep {
    /// Follows name and index steps from `range`; nil when a step finds nothing. Wildcards are
    /// not allowed here.
    public static func resolve(_ steps: ArraySlice<JSONPathStep>, _ text: JSONText,
                               from range: Range<Int>) -> Range<Int>? {
        var current = range
        for step in steps {
            switch step {
            case .name(var name):
                // The name's own UTF-8 storage: no array per step.
                guard let found = name.withUTF8({ member($0, text, current) }) else { return nil }
                current = found
            case .index(let index):
                guard let found = element(index, text, current) else { return nil }
                current = found
            case .wildcard:
                return nil
            }
        }
        return current
    }

    /// The value of the last member called `name` (a repeated key keeps its last value, as in
    /// parsed objects) of the object at `range`.
    public static func member(_ name: [UInt8], _ text: JSONText, _ range: Range<Int>) -> Range<Int>? {
        name.withUnsafeBufferPointer { member($0, text, range) }
    }

    public static func member(_ name: UnsafeBufferPointer<UInt8>, _ text: JSONText, _ range: Range<Int>) -> Range<Int>? {
        var found: Range<Int>?
        JSONScanner.forEachMember(text, object: range) { key, value in
            if JSONScanner.key(text, key, equals: name) { found = value }
            return true
        }
        return found
    }

    /// Element `index` (negative: from the end) of the array at `range`.
    public static func element(_ index: Int, _ text: JSONText, _ range: Range<Int>) -> Range<Int>? {
        var wanted = index
        if index < 0 {
            var count = 0
            JSONScanner.forEachElement(text, array: range) { _ in count += 1; return true }
            wanted = count + index
            if wanted < 0 { return nil }
        }
        var found: Range<Int>?
        var i = 0
        JSONScanner.forEachElement(text, array: range) { element in
            if i == wanted {
                found = element
                return false
            }
            i += 1
            return true
        }
        return found
    }

    /// Appends the selected ranges in nodelist order; false when the document needs parsing.
    static func collect(_ steps: ArraySlice<JSONPathStep>, _ text: JSONText, _ range: Range<Int>,
                        limit: Int, into out: inout [Range<Int>]) -> Bool {
        guard out.count < limit else { return true }
        guard let step = steps.first else {
            out.append(range)
            return true
        }
        let rest = steps.dropFirst()
        switch step {
        case .name, .index:
            guard let next = resolve(steps.prefix(1), text, from: range) else { return true }
            return collect(rest, text, next, limit: limit, into: &out)
        case .wildcard:
            switch text[range.lowerBound] {
            case UInt8(ascii: "["):
                var ok = true
                JSONScanner.forEachElement(text, array: range) { element in
                    ok = collect(rest, text, element, limit: limit, into: &out)
                    return ok && out.count < limit
                }
                return ok
            case UInt8(ascii: "{"):
                // Member values in order, unless a key repeats: parsed objects keep one member per key.
                return range.count == 2
            default:
                return true
            }
        }
    }
}
