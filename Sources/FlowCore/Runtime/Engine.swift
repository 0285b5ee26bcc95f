import FlowJSON
import Logging
import Synchronization

/// Runs an execution plan: one TaskGroup owns every node task.
///
/// Nodes joined by data edges form a pipeline and start together, so a bounded edge never waits
/// for a consumer that has not been scheduled. A pipeline starts when every node its members
/// must run `after` has finished; `concurrency` limits how many pipelines run at once.
public struct Engine: Sendable {
    /// Batches buffered per data edge.
    public var edgeCapacity: Int
    /// Records per batch for nodes that use `RecordWriter`.
    public var batchSize: Int
    public var makeLogger: @Sendable (_ nodeID: String) -> Logger

    public init(edgeCapacity: Int = 8, batchSize: Int = 500,
                makeLogger: @escaping @Sendable (String) -> Logger = { Logger(label: "flow.node.\($0)") }) {
        self.edgeCapacity = edgeCapacity
        self.batchSize = batchSize
        self.makeLogger = makeLogger
    }

    private enum Completion: Sendable {
        case node(NodeResult)
        case helper
    }

    /// Runs the plan to the end. Cancelling the calling task cancels the run (status `cancelled`).
    public func run(_ plan: ExecutionPlan, runID: String, observer: any RunObserver) async -> RunResult {
        let startedAt = WallClock.now()
        observer.runStarted(plan, runID: runID)
        let graph = plan.graph
        let byID = Dictionary(plan.nodes.map { ($0.node.id, $0) }, uniquingKeysWith: { a, _ in a })

        // One channel per data edge; nodes with several inputs read a merged channel.
        var edgeChannels: [String: [(consumer: String, channel: BatchChannel)]] = [:]
        var inputChannels: [String: [BatchChannel]] = [:]
        for edge in graph.edges where edge.kind == .data {
            let channel = BatchChannel(capacity: byID[edge.from]?.node.spec.outputBuffer ?? edgeCapacity)
            edgeChannels[edge.from, default: []].append((edge.to, channel))
            inputChannels[edge.to, default: []].append(channel)
        }
        var counters: [String: NodeCounters] = [:]
        for node in plan.nodes {
            let c = NodeCounters()
            counters[node.node.id] = c
            observer.track(node.node.id, counters: c)
        }
        let failedNodes = LockedSet()
        let completions = CompletionBoard()
        let checkpoints = CheckpointBoard()

        var status: [String: NodeStatus] = [:]
        var results: [String: NodeResult] = [:]
        for node in plan.nodes { status[node.node.id] = .pending }
        var firstError: String?
        var cancelledByFailure = false

        let pipelines = plan.pipelines
        var started = [Bool](repeating: false, count: pipelines.count)
        var remainingInPipeline = [Int](repeating: 0, count: pipelines.count)
        var pipelineOf: [String: Int] = [:]
        for (i, members) in pipelines.enumerated() { for m in members { pipelineOf[m] = i } }
        let order = graph.topologicalOrder() ?? graph.ids
        let position = Dictionary(order.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let limit = plan.concurrency ?? Int.max
        var runningPipelines = 0

        func finishWithoutRunning(_ id: String, _ s: NodeStatus, error: String? = nil) {
            status[id] = s
            completions.finished(id, status: s)
            checkpoints.finished(id, status: s)
            for channel in inputChannels[id] ?? [] { channel.consumerDone() }
            for (_, channel) in edgeChannels[id] ?? [] { channel.finish() }
            let result = NodeResult(id: id, type: byID[id]?.node.type ?? "?", status: s, error: error)
            results[id] = result
            observer.nodeFinished(result)
        }

        func nodesScope() -> JSON {
            var nodes = JSONObject()
            for id in graph.ids {
                guard let s = status[id], s.isTerminal else { continue }
                let r = results[id]
                nodes[id] = ["status": .string(s.rawValue), "records_in": .int(r?.recordsIn ?? 0),
                             "records_out": .int(r?.recordsOut ?? 0)]
            }
            return .object(nodes)
        }

        await withTaskGroup(of: Completion.self) { group in
            /// Starts every pipeline whose ordering dependencies are done, within the limit. Repeats
            /// while a pass settled a pipeline without running it (all skipped), since that can make
            /// an earlier pipeline in the list ready and no task completion would come to retry it.
            func startReady() {
                var settledWithoutRunning: Bool
                repeat {
                    settledWithoutRunning = false
                    startReadyPass(&settledWithoutRunning)
                } while settledWithoutRunning
            }

            func startReadyPass(_ settledWithoutRunning: inout Bool) {
                guard !Task.isCancelled, !cancelledByFailure else { return }
                for (p, members) in pipelines.enumerated() where !started[p] {
                    guard runningPipelines < limit else { return }
                    let externalAfter = members.flatMap { id in byID[id]?.node.after.map(\.value) ?? [] }
                    guard externalAfter.allSatisfy({ status[$0]?.isTerminal == true }) else { continue }
                    started[p] = true
                    var toRun: [PlannedNode] = []
                    for id in members.sorted(by: { position[$0]! < position[$1]! }) {
                        guard let planned = byID[id] else { continue }
                        let node = planned.node
                        if let failed = node.after.first(where: { [.failed, .upstreamFailed, .cancelled].contains(status[$0.value]) }) {
                            finishWithoutRunning(id, status[failed.value] == .cancelled ? .cancelled : .upstreamFailed,
                                                 error: "not run: `\(failed.value)` did not succeed")
                            continue
                        }
                        if node.inputs.contains(where: { status[$0.value] == .skipped }) {
                            finishWithoutRunning(id, .skipped)
                            continue
                        }
                        if let failed = node.inputs.first(where: { [.failed, .upstreamFailed, .cancelled].contains(status[$0.value]) }) {
                            finishWithoutRunning(id, .upstreamFailed, error: "not run: `\(failed.value)` did not succeed")
                            continue
                        }
                        if let when = planned.when {
                            var scope = plan.scope.object
                            if case .object(var o) = scope {
                                o["nodes"] = nodesScope()
                                scope = .object(o)
                            }
                            do {
                                let value = try when.evaluate(scope, bindings: plan.scope.bindings)
                                if !(value?.isTruthy ?? false) {
                                    finishWithoutRunning(id, .skipped)
                                    continue
                                }
                            } catch {
                                let message = plan.masker.mask("node `\(id)`: `when` failed: \(error)")
                                firstError = firstError ?? message
                                finishWithoutRunning(id, .failed, error: message)
                                if node.onError == .fail {
                                    cancelledByFailure = true
                                    group.cancelAll()
                                    return
                                }
                                continue
                            }
                        }
                        status[id] = .running
                        toRun.append(planned)
                    }
                    if toRun.isEmpty {
                        settledWithoutRunning = true
                        continue
                    }
                    runningPipelines += 1
                    remainingInPipeline[p] = toRun.count
                    for planned in toRun { addNodeTask(planned) }
                }
            }

            func addNodeTask(_ planned: PlannedNode) {
                let id = planned.node.id
                let nodeCounters = counters[id]!
                let inputs = inputChannels[id] ?? []
                let outputs = (edgeChannels[id] ?? []).map(\.channel)
                let consumers = (edgeChannels[id] ?? []).map(\.consumer)
                let downstream = graph.downstream(of: id)
                let output = RecordOutput(
                    channels: outputs, counters: nodeCounters, batchSize: batchSize,
                    prefersDocuments: consumers.allSatisfy { byID[$0]?.instance.readsDocuments == true },
                    checkpoints: (checkpoints, id, downstream))
                let relay = CheckpointRelay(nodeID: id, graph: graph, board: checkpoints)
                relay.output = output
                var input: RecordInput?
                if inputs.count == 1 {
                    input = RecordInput(channel: inputs[0], counters: nodeCounters, relay: relay)
                } else if inputs.count > 1 {
                    // Merge: one forwarding task per input, so that reading one input never
                    // starves another (a diamond would otherwise deadlock on a full edge).
                    let merged = BatchChannel(capacity: edgeCapacity)
                    let open = Countdown(inputs.count)
                    for channel in inputs {
                        group.addTask {
                            do {
                                while let item = try await channel.receive() { try await merged.send(item) }
                                if open.decrement() == 0 { merged.finish() }
                            } catch {
                                merged.finish(throwing: error)
                            }
                            channel.consumerDone()
                            return .helper
                        }
                    }
                    input = RecordInput(channel: merged, counters: nodeCounters, relay: relay)
                }
                let context = NodeContext(
                    nodeID: id, type: planned.node.type, input: input, output: output, logger: makeLogger(id),
                    scope: plan.scope, language: plan.language, retry: planned.node.retry,
                    directory: plan.workflow.directory, counters: nodeCounters, masker: plan.masker,
                    completions: completions, downstream: downstream)
                let dataInputs = planned.node.inputs.map(\.value)
                group.addTask {
                    var result = await Engine.execute(planned, context: context, observer: observer)
                    if result.status == .failed || result.status == .cancelled,
                       let input = dataInputs.first(where: failedNodes.contains)
                    {
                        // Ended by an input's failure: through the input's error, or through the
                        // cancellation that failure starts, whichever reached the node first.
                        if result.status == .cancelled { result.error = "not completed: input `\(input)` failed" }
                        result.status = .upstreamFailed
                    }
                    if result.status == .failed || result.status == .upstreamFailed { failedNodes.insert(id) }
                    // Release neighbours at once: producers stop waiting on us, consumers see the end.
                    for channel in inputs { channel.consumerDone() }
                    let failure: (any Error)? = result.status == .succeeded ? nil : UpstreamFailure(nodeID: id)
                    for channel in outputs { channel.finish(throwing: failure) }
                    completions.finished(id, status: result.status)
                    checkpoints.finished(id, status: result.status)
                    return .node(result)
                }
            }

            startReady()
            while let completion = await group.next() {
                guard case .node(let result) = completion else { continue }
                let id = result.id
                status[id] = result.status
                results[id] = result
                observer.nodeFinished(result)
                if result.status == .failed || result.status == .upstreamFailed {
                    if result.status == .failed, firstError == nil { firstError = result.error }
                    if result.status == .failed, byID[id]?.node.onError != .continue, !cancelledByFailure {
                        cancelledByFailure = true
                        group.cancelAll()
                    }
                }
                if let p = pipelineOf[id] {
                    remainingInPipeline[p] -= 1
                    if remainingInPipeline[p] == 0 { runningPipelines -= 1 }
                }
                startReady()
            }
        }

        // Anything never started was cancelled (by a failure or by the user).
        let cancelledByUser = Task.isCancelled
        var nodeResults: [NodeResult] = []
        for planned in plan.nodes {
            let id = planned.node.id
            if let r = results[id] {
                nodeResults.append(r)
            } else {
                let r = NodeResult(id: id, type: planned.node.type, status: .cancelled)
                completions.finished(id, status: .cancelled)
                checkpoints.finished(id, status: .cancelled)
                observer.nodeFinished(r)
                nodeResults.append(r)
            }
        }
        let runStatus: RunStatus
        if nodeResults.contains(where: { $0.status.isFailure }) {
            runStatus = .failed
        } else if cancelledByUser || nodeResults.contains(where: { $0.status == .cancelled }) {
            runStatus = .cancelled
        } else {
            runStatus = .succeeded
        }
        let result = RunResult(runID: runID, workflow: plan.workflow.name, status: runStatus, startedAt: startedAt,
                               finishedAt: WallClock.now(), nodes: nodeResults,
                               error: firstError ?? (runStatus == .cancelled ? "the run was cancelled" : nil))
        observer.runFinished(result)
        return result
    }

    /// Runs one node with its timeout and retry policy.
    static func execute(_ planned: PlannedNode, context: NodeContext, observer: any RunObserver) async -> NodeResult {
        let node = planned.node
        // Nodes that retry their own operations are not retried as a whole on top of that.
        let policy = node.spec.operationRetry == nil ? node.retry : .none
        var result = NodeResult(id: node.id, type: node.type, status: .running, startedAt: WallClock.now())
        var attempt = 0
        while true {
            attempt += 1
            result.attempts = attempt
            observer.nodeStarted(node.id, attempt: attempt)
            // Hooks belong to one attempt (they capture its files and clients).
            context.input?.relay?.removeHooks()
            do {
                try await runOnce(planned.instance, context: context, timeout: node.timeout)
                result.status = .succeeded
                break
            } catch {
                let cancelled = Task.isCancelled || error is CancellationError
                let message: String
                if cancelled {
                    message = "cancelled"
                } else if let timeout = error as? NodeTimeout {
                    message = "node `\(node.id)` timed out after \(DurationParser.format(timeout.limit))"
                } else if let upstream = error as? UpstreamFailure {
                    message = "not completed: input `\(upstream.nodeID)` failed"
                } else {
                    message = "node `\(node.id)` (\(node.type)) failed: \(describe(error))"
                }
                result.error = context.masker.mask(message)
                // A node is retried as a whole only while it has neither read nor written records;
                // nodes retry their own operations (requests, batches) inside.
                let untouched = context.counters.recordsIn == 0 && context.counters.recordsOut == 0
                if cancelled {
                    result.status = .cancelled
                    break
                }
                if error is UpstreamFailure || attempt >= policy.attempts || !untouched {
                    result.status = .failed
                    break
                }
                context.logger.warning("\(result.error!); retrying (attempt \(attempt + 1) of \(policy.attempts))")
                do {
                    try await Task.sleep(for: policy.delay(after: attempt))
                } catch {
                    result.status = .cancelled
                    result.error = "cancelled"
                    break
                }
            }
        }
        if result.status == .succeeded { result.error = nil }
        result.finishedAt = WallClock.now()
        result.recordsIn = context.counters.recordsIn
        result.recordsOut = context.counters.recordsOut
        result.metrics = context.counters.metrics
        return result
    }

    static func runOnce(_ instance: any Node, context: NodeContext, timeout: Duration?) async throws {
        guard let timeout else {
            try await instance.run(context)
            return
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await instance.run(context) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw NodeTimeout(limit: timeout)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }

    static func describe(_ error: any Error) -> String {
        if let e = error as? NodeError { return e.description }
        return String(describing: error)
    }
}

/// Delivered to a node's consumers when the node did not complete.
public struct UpstreamFailure: Error, Sendable, CustomStringConvertible {
    public let nodeID: String
    public var description: String { "input `\(nodeID)` failed" }
}

struct NodeTimeout: Error, Sendable {
    let limit: Duration
}

/// A set shared by node tasks: which nodes failed, for telling own failures from upstream ones.
final class LockedSet: Sendable {
    private let set = Mutex<Set<String>>([])
    func insert(_ value: String) { set.withLock { _ = $0.insert(value) } }
    func contains(_ value: String) -> Bool { set.withLock { $0.contains(value) } }
}

/// Counts the open inputs of a merged channel.
final class Countdown: Sendable {
    private let value: Atomic<Int>
    init(_ start: Int) { value = Atomic(start) }
    /// Decrements and returns the new value.
    func decrement() -> Int { value.subtract(1, ordering: .acquiringAndReleasing).newValue }
}

/// Final statuses as nodes finish, for nodes that wait on their downstream.
final class CompletionBoard: Sendable {
    private struct State {
        var statuses: [String: NodeStatus] = [:]
        var waiters: [(ids: Set<String>, continuation: CheckedContinuation<Bool, Never>)] = []
    }

    private let state = Mutex(State())

    func finished(_ id: String, status: NodeStatus) {
        let ready = state.withLock { s -> [(CheckedContinuation<Bool, Never>, Bool)] in
            s.statuses[id] = status
            var ready: [(CheckedContinuation<Bool, Never>, Bool)] = []
            s.waiters.removeAll { waiter in
                guard waiter.ids.allSatisfy({ s.statuses[$0] != nil }) else { return false }
                ready.append((waiter.continuation, Self.allSucceeded(waiter.ids, s.statuses)))
                return true
            }
            return ready
        }
        for (continuation, ok) in ready { continuation.resume(returning: ok) }
    }

    /// True when every id finished as succeeded or skipped. Returns false at once when the
    /// waiting task is cancelled.
    func wait(for ids: Set<String>) async -> Bool {
        await withCheckedContinuation { continuation in
            let now: Bool? = state.withLock { s in
                if ids.allSatisfy({ s.statuses[$0] != nil }) { return Self.allSucceeded(ids, s.statuses) }
                s.waiters.append((ids, continuation))
                return nil
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private static func allSucceeded(_ ids: Set<String>, _ statuses: [String: NodeStatus]) -> Bool {
        ids.allSatisfy { statuses[$0] == .succeeded || statuses[$0] == .skipped }
    }
}
