import FlowJSON

/// A variable scope: a short list of bindings and a parent. Lookups scan linearly (scopes are small).
final class Frame {
    @exclusivity(unchecked) var names: [String] = []
    @exclusivity(unchecked) var values: [Value?] = []
    let parent: Frame?

    init(parent: Frame?) { self.parent = parent }

    @inline(__always)
    func bind(_ name: String, _ value: Value?) {
        for i in names.indices where names[i] == name {
            values[i] = value
            return
        }
        names.append(name)
        values.append(value)
    }

    /// Looks a name up through the scope chain; `found` is false when no scope binds it.
    @inline(__always)
    func lookup(_ name: String) -> (found: Bool, value: Value?) {
        var f: Frame? = self
        while let frame = f {
            let n = frame.names
            for i in n.indices where n[i] == name { return (true, frame.values[i]) }
            f = frame.parent
        }
        return (false, nil)
    }
}
