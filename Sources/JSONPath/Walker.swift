import FlowJSON

/// Tracks the Normalized Path of the node being visited; `NoTrail` makes tracking free when only
/// values are wanted.
protocol Trail {
    /// False when paths are not wanted, so singular tails may be resolved without visiting.
    static var tracksPath: Bool { get }
    mutating func push(name: String)
    mutating func push(index: Int)
    mutating func pop()
    var path: NormalizedPath { get }
}

struct NoTrail: Trail {
    static var tracksPath: Bool { false }
    @inline(__always) mutating func push(name: String) {}
    @inline(__always) mutating func push(index: Int) {}
    @inline(__always) mutating func pop() {}
    var path: NormalizedPath { NormalizedPath() }
}

struct PathTrail: Trail {
    static var tracksPath: Bool { true }
    var elements: [NormalizedPath.Element] = []
    mutating func push(name: String) { elements.append(.name(name)) }
    mutating func push(index: Int) { elements.append(.index(index)) }
    mutating func pop() { elements.removeLast() }
    var path: NormalizedPath { NormalizedPath(elements) }
}

/// Receives the nodes a query selects, in order.
protocol NodeSink {
    /// Takes the next node; returns false to end the walk early.
    mutating func accept<T: Trail>(_ node: JSON, trail: T) -> Bool
    /// A hint that about `count` more nodes are coming.
    mutating func expect(_ count: Int)
    /// Takes every element of an array, as a final wildcard selects them.
    mutating func acceptElements<T: Trail>(of array: [JSON], trail: inout T) -> Bool
    /// Takes every member value of an object, as a final wildcard selects them.
    mutating func acceptValues<T: Trail>(of object: JSONObject, trail: inout T) -> Bool
}

extension NodeSink {
    mutating func expect(_ count: Int) {}

    mutating func acceptElements<T: Trail>(of array: [JSON], trail: inout T) -> Bool {
        for i in array.indices {
            trail.push(index: i)
            defer { trail.pop() }
            guard accept(array[i], trail: trail) else { return false }
        }
        return true
    }

    mutating func acceptValues<T: Trail>(of object: JSONObject, trail: inout T) -> Bool {
        for i in object.keys.indices {
            trail.push(name: object.keys[i])
            defer { trail.pop() }
            guard accept(object.values[i], trail: trail) else { return false }
        }
        return true
    }
}

struct CollectingSink: NodeSink {
    var nodes: [JSON] = []

    mutating func expect(_ count: Int) {
        // Only the first hint: reserving exact sizes repeatedly would copy quadratically.
        if nodes.isEmpty { nodes.reserveCapacity(count) }
    }

    mutating func accept<T: Trail>(_ node: JSON, trail: T) -> Bool {
        nodes.append(node)
        return true
    }

    mutating func acceptElements<T: Trail>(of array: [JSON], trail: inout T) -> Bool {
        if nodes.isEmpty { nodes = array } else { nodes.append(contentsOf: array) }
        return true
    }

    mutating func acceptValues<T: Trail>(of object: JSONObject, trail: inout T) -> Bool {
        if nodes.isEmpty { nodes = Array(object.values) } else { nodes.append(contentsOf: object.values) }
        return true
    }
}

struct LocatingSink: NodeSink {
    var results: [(path: NormalizedPath, value: JSON)] = []
    mutating func accept<T: Trail>(_ node: JSON, trail: T) -> Bool {
        results.append((trail.path, node))
        return true
    }
}

/// Counts nodes, keeping the first, and stops after `limit` of them.
struct CountingSink: NodeSink {
    var limit = Int.max
    var count = 0
    var first: JSON?
    mutating func accept<T: Trail>(_ node: JSON, trail: T) -> Bool {
        if count == 0 { first = node }
        count += 1
        return count < limit
    }
}

/// Applies compiled segments depth first: the nodes reach the sink in nodelist order without
/// building the intermediate nodelists.
struct Walker {
    let root: JSON
    let path: SegmentPath

    /// Applies `segments[index...]` to `node`; false when the sink ended the walk.
    @discardableResult
    func walk<T: Trail, S: NodeSink>(from index: Int, _ node: JSON, _ trail: inout T, _ sink: inout S) -> Bool {
        if index == path.singularStart, !T.tracksPath {
            guard let target = path.singularTail.resolve(from: node) else { return true }
            return sink.accept(target, trail: trail)
        }
        guard index < path.segments.count else { return sink.accept(node, trail: trail) }
        switch path.segments[index] {
        case .child(let selectors):
            for selector in selectors {
                guard apply(selector, to: node, next: index + 1, &trail, &sink) else { return false }
            }
            return true
        case .descendant(let selectors):
            return descend(selectors, node, next: index + 1, &trail, &sink)
        }
    }

    /// The descendant segment: the selectors on `node`, then on each descendant, in pre-order.
    private func descend<T: Trail, S: NodeSink>(
        _ selectors: [Selector], _ node: JSON, next: Int, _ trail: inout T, _ sink: inout S
    ) -> Bool {
        for selector in selectors {
            guard apply(selector, to: node, next: next, &trail, &sink) else { return false }
        }
        switch node {
        case .array(let array):
            for i in array.indices {
                trail.push(index: i)
                let more = descend(selectors, array[i], next: next, &trail, &sink)
                trail.pop()
                guard more else { return false }
            }
        case .object(let object):
            for i in object.keys.indices {
                trail.push(name: object.keys[i])
                let more = descend(selectors, object.values[i], next: next, &trail, &sink)
                trail.pop()
                guard more else { return false }
            }
        default:
            break
        }
        return true
    }

    private func apply<T: Trail, S: NodeSink>(
        _ selector: Selector, to node: JSON, next: Int, _ trail: inout T, _ sink: inout S
    ) -> Bool {
        switch selector {
        case .name(let name):
            guard case .object(let object) = node, let i = object.exactPosition(of: name) else { return true }
            return visit(object.values[i], name: object.keys[i], next: next, &trail, &sink)
        case .index(let index):
            guard case .array(let array) = node, let i = array.normalizedIndex(index) else { return true }
            return visit(array[i], index: i, next: next, &trail, &sink)
        case .wildcard:
            if next == path.segments.count {
                switch node {
                case .array(let array): return sink.acceptElements(of: array, trail: &trail)
                case .object(let object): return sink.acceptValues(of: object, trail: &trail)
                default: return true
                }
            }
            switch node {
            case .array(let array):
                if next == path.singularStart { sink.expect(array.count) }
                for i in array.indices {
                    guard visit(array[i], index: i, next: next, &trail, &sink) else { return false }
                }
            case .object(let object):
                for i in object.keys.indices {
                    guard visit(object.values[i], name: object.keys[i], next: next, &trail, &sink) else { return false }
                }
            default:
                break
            }
            return true
        case .slice(let start, let end, let step):
            guard case .array(let array) = node else { return true }
            let step = step ?? 1
            guard step != 0 else { return true }
            let count = array.count
            func normalized(_ i: Int) -> Int { i >= 0 ? i : count + i }
            if step > 0 {
                let lower = min(max(normalized(start ?? 0), 0), count)
                let upper = min(max(normalized(end ?? count), 0), count)
                var i = lower
                while i < upper {
                    guard visit(array[i], index: i, next: next, &trail, &sink) else { return false }
                    i += step
                }
            } else {
                let upper = min(max(normalized(start ?? count - 1), -1), count - 1)
                let lower = min(max(end.map(normalized) ?? -1, -1), count - 1)
                var i = upper
                while lower < i {
                    guard visit(array[i], index: i, next: next, &trail, &sink) else { return false }
                    i += step
                }
            }
            return true
        case .filter(let expression):
            switch node {
            case .array(let array):
                for i in array.indices where test(expression, array[i]) {
                    guard visit(array[i], index: i, next: next, &trail, &sink) else { return false }
                }
            case .object(let object):
                for i in object.keys.indices where test(expression, object.values[i]) {
                    guard visit(object.values[i], name: object.keys[i], next: next, &trail, &sink) else { return false }
                }
            default:
                break
            }
            return true
        }
    }

    @inline(__always)
    private func visit<T: Trail, S: NodeSink>(
        _ child: JSON, index: Int, next: Int, _ trail: inout T, _ sink: inout S
    ) -> Bool {
        trail.push(index: index)
        defer { trail.pop() }
        return walk(from: next, child, &trail, &sink)
    }

    @inline(__always)
    private func visit<T: Trail, S: NodeSink>(
        _ child: JSON, name: String, next: Int, _ trail: inout T, _ sink: inout S
    ) -> Bool {
        trail.push(name: name)
        defer { trail.pop() }
        return walk(from: next, child, &trail, &sink)
    }
}
