/// An array during evaluation, with jsonata-js's sequence flags.
final class ArrayRef {
    @exclusivity(unchecked) var items: [Value]
    @exclusivity(unchecked) var sequence = false
    @exclusivity(unchecked) var keepSingleton = false
    @exclusivity(unchecked) var outerWrapper = false
    @exclusivity(unchecked) var tupleStream = false
    @exclusivity(unchecked) var cons = false

    init() { items = [] }
    init(_ items: [Value]) { self.items = items }
    init(sequence items: [Value]) {
        self.items = items
        self.sequence = true
    }

    static func seq() -> ArrayRef {
        let r = ArrayRef()
        r.sequence = true
        return r
    }

    var count: Int { items.count }
}
