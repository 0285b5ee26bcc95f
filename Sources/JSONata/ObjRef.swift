import FlowJSON

/// An object built during evaluation (mutable by reference, like a JavaScript object).
final class ObjRef {
    @exclusivity(unchecked) var keys: [String] = []
    @exclusivity(unchecked) var values: [Value] = []

    init() {}

    init(_ o: JSONObject) {
        keys = Array(o.keys)
        values = o.values.map { Value($0) }
    }

    subscript(key: String) -> Value? {
        get {
            for i in keys.indices where keys[i] == key { return values[i] }
            return nil
        }
        set {
            if let i = keys.firstIndex(of: key) {
                if let newValue { values[i] = newValue } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    func copy() -> ObjRef {
        let r = ObjRef()
        r.keys = keys
        r.values = values
        return r
    }
}
