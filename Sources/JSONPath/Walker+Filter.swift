import FlowJSON

/// Filter evaluation (RFC 9535 §2.3.5.2): `current` is `@`, `root` is `$`.
extension Walker {
    func test(_ expression: LogicalExpression, _ current: JSON) -> Bool {
        switch expression {
        case .or(let terms):
            for term in terms where test(term, current) { return true }
            return false
        case .and(let terms):
            for term in terms where !test(term, current) { return false }
            return true
        case .not(let inner):
            return !test(inner, current)
        case .exists(let query):
            return count(query, current, limit: 1).count > 0
        case .comparison(let left, let op, let right):
            return Self.compare(evaluate(left, current), op, evaluate(right, current))
        case .function(let call):
            return callLogical(call, current)
        }
    }

    /// The value of a ValueType expression, or nil for Nothing.
    func evaluate(_ expression: ValueExpression, _ current: JSON) -> JSON? {
        switch expression {
        case .literal(let value):
            return value
        case .query(let query):
            return query.singularSteps?.resolve(from: query.isRelative ? current : root)
        case .function(let call):
            return callValue(call, current)
        }
    }

    /// Walks an embedded query, counting up to `limit` nodes.
    private func count(_ query: EmbeddedQuery, _ current: JSON, limit: Int) -> CountingSink {
        let start = query.isRelative ? current : root
        var sink = CountingSink(limit: limit)
        if let steps = query.singularSteps {
            if let node = steps.resolve(from: start) { _ = sink.accept(node, trail: NoTrail()) }
        } else {
            var trail = NoTrail()
            Walker(root: root, path: query.path).walk(from: 0, start, &trail, &sink)
        }
        return sink
    }

    private func callValue(_ call: FunctionCall, _ current: JSON) -> JSON? {
        switch (call.function, call.arguments.first) {
        case (.length, .value(let argument)):
            switch evaluate(argument, current) {
            case .string(let string): return .int(string.unicodeScalars.count)
            case .array(let array): return .int(array.count)
            case .object(let object): return .int(object.count)
            default: return nil
            }
        case (.count, .nodes(let query)):
            return .int(count(query, current, limit: .max).count)
        case (.value, .nodes(let query)):
            let result = count(query, current, limit: 2)
            return result.count == 1 ? result.first : nil
        default:
            return nil
        }
    }

    private func callLogical(_ call: FunctionCall, _ current: JSON) -> Bool {
        guard call.function == .match || call.function == .search,
            case .value(let subjectExpression) = call.arguments[0],
            case .string(let subject)? = evaluate(subjectExpression, current)
        else { return false }
        let regexp: IRegexp
        switch call.literalPattern {
        case .valid(let compiled)?:
            regexp = compiled
        case .invalid?:
            return false
        case nil:
            guard case .value(let patternExpression) = call.arguments[1],
                case .string(let pattern)? = evaluate(patternExpression, current),
                let compiled = IRegexp.cached(pattern)
            else { return false }
            regexp = compiled
        }
        return call.function == .match ? regexp.matchesWhole(subject) : regexp.matchesPart(subject)
    }

    // MARK: Comparisons (RFC 9535 §2.3.5.2.2)

    static func compare(_ left: JSON?, _ op: ComparisonOperator, _ right: JSON?) -> Bool {
        switch op {
        case .equal: return equal(left, right)
        case .notEqual: return !equal(left, right)
        case .less: return less(left, right)
        case .lessOrEqual: return less(left, right) || equal(left, right)
        case .greater: return less(right, left)
        case .greaterOrEqual: return less(right, left) || equal(left, right)
        }
    }

    /// Nothing equals only Nothing; values compare deeply, strings scalar by scalar.
    private static func equal(_ left: JSON?, _ right: JSON?) -> Bool {
        switch (left, right) {
        case (nil, nil): return true
        case (let a?, let b?): return equal(a, b)
        default: return false
        }
    }

    private static func equal(_ a: JSON, _ b: JSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.int, .double), (.double, .int), (.double, .double): return a.doubleValue == b.doubleValue
        case (.string(let x), .string(let y)): return x.hasSameScalars(as: y)
        case (.array(let x), .array(let y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case (.object(let x), .object(let y)):
            guard x.count == y.count else { return false }
            for i in x.keys.indices {
                guard let j = y.exactPosition(of: x.keys[i]), equal(x.values[i], y.values[j]) else { return false }
            }
            return true
        default: return false
        }
    }

    /// Only numbers with numbers and strings with strings are ordered; UTF-8 byte order is
    /// Unicode scalar order.
    private static func less(_ left: JSON?, _ right: JSON?) -> Bool {
        switch (left, right) {
        case (.int(let x)?, .int(let y)?): return x < y
        case (.int?, .double?), (.double?, .int?), (.double?, .double?):
            return left!.doubleValue! < right!.doubleValue!
        case (.string(let x)?, .string(let y)?): return x.utf8.lexicographicallyPrecedes(y.utf8)
        default: return false
        }
    }
}
