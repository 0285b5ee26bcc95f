/// The DAG of a workflow: data edges (`input`) and ordering edges (`after`).
public struct WorkflowGraph: Sendable {
    public struct Edge: Sendable, Hashable {
        public enum Kind: String, Sendable { case data, order }
        public var from: String
        public var to: String
        public var kind: Kind
    }

    /// Node ids in file order.
    public let ids: [String]
    public let edges: [Edge]
    let index: [String: Int]
    /// Predecessors of each node (by index), data and ordering alike.
    let predecessors: [[Int]]
    let successors: [[Int]]
    /// Consumers of each node's records (by index).
    let dataSuccessors: [[Int]]

    public init(_ workflow: Workflow) {
        ids = workflow.nodes.map(\.id)
        var index: [String: Int] = [:]
        for (i, id) in ids.enumerated() { index[id] = i }
        self.index = index
        var edges: [Edge] = []
        for node in workflow.nodes {
            for input in node.inputs where index[input.value] != nil && input.value != node.id { edges.append(Edge(from: input.value, to: node.id, kind: .data)) }
            for after in node.after where index[after.value] != nil && after.value != node.id { edges.append(Edge(from: after.value, to: node.id, kind: .order)) }
        }
        self.edges = edges
        var predecessors = [[Int]](repeating: [], count: ids.count)
        var successors = [[Int]](repeating: [], count: ids.count)
        var dataSuccessors = [[Int]](repeating: [], count: ids.count)
        for edge in edges {
            predecessors[index[edge.to]!].append(index[edge.from]!)
            successors[index[edge.from]!].append(index[edge.to]!)
            if edge.kind == .data { dataSuccessors[index[edge.from]!].append(index[edge.to]!) }
        }
        self.predecessors = predecessors
        self.successors = successors
        self.dataSuccessors = dataSuccessors
    }

    /// Stages: stage 0 holds nodes with no dependencies, stage k nodes whose dependencies are all
    /// in earlier stages. Nil when the graph has a cycle.
    public func stages() -> [[String]]? {
        var level = [Int](repeating: -1, count: ids.count)
        var remaining = predecessors.map(\.count)
        var ready = (0..<ids.count).filter { remaining[$0] == 0 }
        for i in ready { level[i] = 0 }
        var processed = 0
        var cursor = 0
        while cursor < ready.count {
            let i = ready[cursor]
            cursor += 1
            processed += 1
            for s in successors[i] {
                level[s] = max(level[s], level[i] + 1)
                remaining[s] -= 1
                if remaining[s] == 0 { ready.append(s) }
            }
        }
        guard processed == ids.count else { return nil }
        let count = (level.max() ?? -1) + 1
        var stages = [[String]](repeating: [], count: count)
        for i in 0..<ids.count { stages[level[i]].append(ids[i]) }
        return stages
    }

    /// Topological order, stage by stage, file order within a stage.
    public func topologicalOrder() -> [String]? { stages()?.flatMap { $0 } }

    /// One cycle as a path of node ids, first id repeated at the end; nil when acyclic.
    public func findCycle() -> [String]? {
        var color = [UInt8](repeating: 0, count: ids.count)  // 0 new, 1 on stack, 2 done
        var stack: [Int] = []
        func visit(_ i: Int) -> [String]? {
            color[i] = 1
            stack.append(i)
            for s in successors[i] {
                if color[s] == 1 {
                    let start = stack.firstIndex(of: s)!
                    return (stack[start...] + [s]).map { ids[$0] }
                }
                if color[s] == 0, let cycle = visit(s) { return cycle }
            }
            stack.removeLast()
            color[i] = 2
            return nil
        }
        for i in 0..<ids.count where color[i] == 0 {
            if let cycle = visit(i) { return cycle }
        }
        return nil
    }

    /// Data-connected components ("pipelines"): nodes joined by data edges run together.
    public func pipelines() -> [[String]] {
        var parent = Array(0..<ids.count)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x {
                parent[x] = parent[parent[x]]
                x = parent[x]
            }
            return x
        }
        for edge in edges where edge.kind == .data {
            let a = find(index[edge.from]!), b = find(index[edge.to]!)
            if a != b { parent[max(a, b)] = min(a, b) }
        }
        var groups: [Int: [String]] = [:]
        var order: [Int] = []
        for i in 0..<ids.count {
            let root = find(i)
            if groups[root] == nil { order.append(root) }
            groups[root, default: []].append(ids[i])
        }
        return order.map { groups[$0]! }
    }

    /// Every node reachable from `id` through data edges.
    public func downstream(of id: String) -> Set<String> {
        guard let start = index[id] else { return [] }
        var seen = Set<String>()
        var visited = Set<Int>()
        var stack = [start]
        while let current = stack.popLast() {
            for next in dataSuccessors[current] where visited.insert(next).inserted {
                seen.insert(ids[next])
                stack.append(next)
            }
        }
        return seen
    }

    public func dataInputs(of id: String) -> [String] {
        edges.filter { $0.to == id && $0.kind == .data }.map(\.from)
    }

    public func consumers(of id: String) -> [String] {
        edges.filter { $0.from == id && $0.kind == .data }.map(\.to)
    }

    /// Cycles, and `after:` edges inside a pipeline (they could deadlock a bounded stream).
    static func checkStructure(_ workflow: Workflow) -> Diagnostics {
        var diagnostics = Diagnostics()
        let graph = WorkflowGraph(workflow)
        if let cycle = graph.findCycle() {
            let first = workflow.node(cycle[0])
            let edgeLocation = workflow.node(cycle[1]).flatMap { n in
                (n.inputs + n.after).first { $0.value == cycle[0] }?.location
            }
            diagnostics.error("the workflow has a cycle: " + cycle.joined(separator: " -> "),
                              at: edgeLocation ?? first?.location,
                              hint: "a workflow is a DAG: remove one of these `input`/`after` references")
            return diagnostics
        }
        var pipelineOf: [String: Int] = [:]
        for (i, members) in graph.pipelines().enumerated() { for m in members { pipelineOf[m] = i } }
        for node in workflow.nodes {
            for after in node.after where after.value != node.id && pipelineOf[after.value] == pipelineOf[node.id] {
                diagnostics.error(
                    "`after: \(after.value)` on node `\(node.id)`: both nodes are in the same pipeline (connected by `input` edges), which already runs them together",
                    at: after.location,
                    hint: "records stream between nodes of a pipeline; make `\(node.id)` take `input: \(after.value)` or remove the `after`")
            }
        }
        return diagnostics
    }
}
