import FlowJSON

/// A value during evaluation. `nil` (as `Value?`) is JSONata's *undefined*.
///
/// Input objects stay wrapped as `.jobject` (no copy); objects built by the expression are reference
/// types (`ObjRef`) because the transform operator mutates matched objects in place, as jsonata-js does.
enum Value {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array(ArrayRef)
    case object(ObjRef)
    case jobject(JSONObject)
    case function(FunctionRef)

    @inline(__always)
    init(_ json: JSON) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .number(Double(i))
        case .double(let d): self = .number(d)
        case .string(let s): self = .string(s)
        case .array(let a):
            let r = ArrayRef()
            r.items.reserveCapacity(a.count)
            for e in a { r.items.append(Value(e)) }
            self = .array(r)
        case .object(let o): self = .jobject(o)
        }
    }

    /// Converts back to JSON; functions become nil (dropped from objects, null in arrays).
    func toJSON() -> JSON? {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .number(let d): return Value.jsonNumber(d)
        case .string(let s): return .string(s)
        case .array(let a):
            var out: [JSON] = []
            out.reserveCapacity(a.items.count)
            for e in a.items { out.append(e.toJSON() ?? .null) }
            return .array(out)
        case .object(let o):
            var out = JSONObject(minimumCapacity: o.keys.count)
            for i in o.keys.indices {
                if let j = o.values[i].toJSON() { out.appendUnchecked(o.keys[i], j) }
            }
            return .object(out)
        case .jobject(let o): return .object(o)
        case .function: return nil
        }
    }

    @inline(__always)
    static func jsonNumber(_ d: Double) -> JSON {
        if d.rounded(.towardZero) == d && abs(d) < 9_007_199_254_740_992 { return .int(Int(d)) }
        return .double(d)
    }

    var isArray: Bool { if case .array = self { return true } else { return false } }
    var isFunction: Bool { if case .function = self { return true } else { return false } }
    var isObject: Bool {
        switch self {
        case .object, .jobject: return true
        default: return false
        }
    }
    var arrayRef: ArrayRef? { if case .array(let a) = self { return a } else { return nil } }
    var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    var string: String? { if case .string(let s) = self { return s } else { return nil } }

    /// A sequence (not a plain array): produced by path evaluation.
    var isSequence: Bool { if case .array(let a) = self { return a.sequence } else { return false } }

    /// Field of an object value, undefined otherwise.
    @inline(__always)
    func field(_ key: String) -> Value? {
        switch self {
        case .jobject(let o):
            if o.count > 16 {
                if let v = o[key] { return Value(v) }
                return nil
            }
            // small records: scan, comparing lengths before contents
            let n = key.utf8.count
            let keys = o.keys
            for i in keys.indices where keys[i].utf8.count == n && keys[i] == key { return Value(o.values[i]) }
            return nil
        case .object(let o): return o[key]
        default: return nil
        }
    }

    /// Members of an object value, in order.
    var entries: [(String, Value)] {
        switch self {
        case .jobject(let o):
            var r: [(String, Value)] = []
            r.reserveCapacity(o.count)
            for (k, v) in o { r.append((k, Value(v))) }
            return r
        case .object(let o):
            var r: [(String, Value)] = []
            r.reserveCapacity(o.keys.count)
            for i in o.keys.indices { r.append((o.keys[i], o.values[i])) }
            return r
        default: return []
        }
    }

    var objectKeys: [String] {
        switch self {
        case .jobject(let o): return Array(o.keys)
        case .object(let o): return o.keys
        default: return []
        }
    }

    /// Array items, or the value as a one-element list.
    var asList: [Value] {
        if case .array(let a) = self { return a.items }
        return [self]
    }

    var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object, .jobject: return "object"
        case .function: return "function"
        }
    }

    /// A JSON rendering for error values.
    var errorJSON: JSON? { toJSON() }
}


// MARK: - Equality and helpers

extension Value {
    /// Deep equality as jsonata-js's `isDeepEqual`.
    static func deepEqual(_ a: Value?, _ b: Value?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)):
            if x === y { return true }
            guard x.items.count == y.items.count else { return false }
            for i in x.items.indices where !deepEqual(x.items[i], y.items[i]) { return false }
            return true
        case (.function(let x), .function(let y)): return x === y
        default:
            if a.isObject && b.isObject {
                let ka = a.objectKeys, kb = b.objectKeys
                guard ka.count == kb.count else { return false }
                for k in ka {
                    guard let vb = b.field(k) else { return false }
                    if !deepEqual(a.field(k), vb) { return false }
                }
                return true
            }
            return false
        }
    }

    /// JavaScript `===`: scalars by value, containers by identity.
    static func strictEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x === y
        case (.object(let x), .object(let y)): return x === y
        case (.function(let x), .function(let y)): return x === y
        case (.jobject(let x), .jobject(let y)): return x == y
        default: return false
        }
    }
}
