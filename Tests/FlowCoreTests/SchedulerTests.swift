import FlowCore
import FlowJSON
import Testing

@Suite struct SchedulerTests {
    @Test func afterEdgesOrderNodes() async throws {
        let result = try await runWorkflow("""
            nodes:
              a: { type: t_work, board: order, ms: 20 }
              b: { type: t_work, board: order, ms: 1, after: a }
              c: { type: t_work, board: order, ms: 1, after: [b] }
            """)
        #expect(result.status == .succeeded)
        let events = Boards.board("order").events
        #expect(events == ["start a", "end a", "start b", "end b", "start c", "end c"])
    }

    @Test func independentNodesRunConcurrently() async throws {
        let result = try await runWorkflow("""
            nodes:
              a: { type: t_work, board: parallel, ms: 50 }
              b: { type: t_work, board: parallel, ms: 50 }
              c: { type: t_work, board: parallel, ms: 50 }
            """)
        #expect(result.status == .succeeded)
        #expect(Boards.board("parallel").state.withLock { $0.maxRunning } == 3)
    }

    @Test func concurrencyLimitBoundsRunningPipelines() async throws {
        let result = try await runWorkflow("""
            concurrency: 2
            nodes:
              a: { type: t_work, board: limit, ms: 20 }
              b: { type: t_work, board: limit, ms: 20 }
              c: { type: t_work, board: limit, ms: 20 }
              d: { type: t_work, board: limit, ms: 20 }
              e: { type: t_work, board: limit, ms: 20 }
            """)
        #expect(result.status == .succeeded)
        #expect(Boards.board("limit").state.withLock { $0.maxRunning } == 2)
    }

    @Test func streamsEveryRecordThroughAPipeline() async throws {
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_emit, board: stream, count: 1000 }
              mid: { type: t_collect, board: stream, input: src, forward: true }
              sink: { type: t_collect, board: stream, input: mid }
            """)
        #expect(result.status == .succeeded)
        let records = Boards.board("stream").records("sink")
        #expect(records.count == 1000)
        #expect(records.map { $0["i"]!.intValue! } == Array(0..<1000))
        #expect(result.node("src").recordsOut == 1000)
        #expect(result.node("sink").recordsIn == 1000)
    }

    @Test func fanOutDeliversEveryBatchToEveryConsumer() async throws {
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_emit, board: fanout, count: 250 }
              x: { type: t_collect, board: fanout, input: src }
              y: { type: t_collect, board: fanout, input: src, delay_ms: 1 }
            """)
        #expect(result.status == .succeeded)
        #expect(Boards.board("fanout").records("x").count == 250)
        #expect(Boards.board("fanout").records("y").count == 250)
    }

    @Test func diamondFanInDoesNotDeadlock() async throws {
        // Both branches share one source; reading one input at a time would stall on a full edge.
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_emit, board: diamond, count: 2000 }
              left: { type: t_collect, board: diamond, input: src, forward: true }
              right: { type: t_collect, board: diamond, input: src, forward: true }
              join: { type: t_collect, board: diamond, input: [left, right] }
            """)
        #expect(result.status == .succeeded)
        #expect(Boards.board("diamond").records("join").count == 4000)
    }

    @Test func slowConsumerBoundsTheProducer() async throws {
        // batch 10, edge capacity 2: the producer may be at most a few batches ahead.
        let board = Boards.board("backpressure")
        let plan = try makePlan("""
            nodes:
              src: { type: t_emit, board: backpressure, count: 400 }
              sink: { type: t_collect, board: backpressure, input: src, delay_ms: 2 }
            """)
        let observer = LagObserver()
        let engine = Engine(edgeCapacity: 2, batchSize: 10)
        let task = Task { await engine.run(plan, runID: "bp", observer: observer) }
        var maxLag = 0
        while !observer.done {
            if let out = observer.counters["src"]?.recordsOut, let inCount = observer.counters["sink"]?.recordsIn {
                maxLag = max(maxLag, out - inCount)
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let result = await task.value
        #expect(result.status == .succeeded)
        #expect(board.records("sink").count == 400)
        // capacity 2 batches + 1 being handed over + 1 in the consumer's hands = 4 batches of 10.
        #expect(maxLag <= 40)
        #expect(maxLag > 0)
    }

    @Test func falseWhenSkipsNodeAndItsDataDependents() async throws {
        let result = try await runWorkflow("""
            params:
              full: { type: boolean, default: false }
            nodes:
              src: { type: t_emit, board: when, count: 5, when: params.full }
              sink: { type: t_collect, board: when, input: src }
              other: { type: t_work, board: when, ms: 1 }
            """)
        #expect(result.status == .succeeded)
        #expect(result.node("src").status == .skipped)
        #expect(result.node("sink").status == .skipped)
        #expect(result.node("other").status == .succeeded)

        let full = try await runWorkflow("""
            params:
              full: { type: boolean, default: false }
            nodes:
              src: { type: t_emit, board: when2, count: 5, when: "${params.full}" }
              sink: { type: t_collect, board: when2, input: src }
            """, params: [("full", "true")])
        #expect(full.node("sink").status == .succeeded)
        #expect(full.node("sink").recordsIn == 5)
    }

    @Test func nodeAfterASkippedNodeLaterInTheFileStillRuns() async throws {
        // `report` comes first in the file and waits on `optional`, which is skipped: nothing
        // completes afterwards to trigger another scheduling pass, so the engine must retry itself.
        let result = try await runWorkflow("""
            nodes:
              report: { type: t_work, board: skipafter, ms: 1, after: optional }
              optional: { type: t_work, board: skipafter, ms: 1, when: "false" }
            """)
        #expect(result.status == .succeeded)
        #expect(result.node("optional").status == .skipped)
        #expect(result.node("report").status == .succeeded)
    }

    @Test func whenSeesFinishedNodes() async throws {
        let result = try await runWorkflow("""
            nodes:
              a: { type: t_emit, board: whennodes, count: 3 }
              b: { type: t_work, board: whennodes, ms: 1, after: a, when: nodes.a.records_out = 3 }
              c: { type: t_work, board: whennodes, ms: 1, after: a, when: nodes.a.records_out > 3 }
            """)
        #expect(result.node("b").status == .succeeded)
        #expect(result.node("c").status == .skipped)
    }

    @Test func failureCancelsTheRunByDefault() async throws {
        let result = try await runWorkflow("""
            nodes:
              bad: { type: t_work, board: fail, ms: 5, fail_times: 1 }
              slow: { type: t_work, board: fail, ms: 5000 }
              later: { type: t_work, board: fail, ms: 1, after: bad }
            """)
        #expect(result.status == .failed)
        #expect(result.node("bad").status == .failed)
        #expect(result.node("slow").status == .cancelled)
        #expect(result.node("later").status == .cancelled)
        #expect(result.duration < 4)
        #expect(result.error?.contains("node `bad` (t_work) failed: boom") == true)
    }

    @Test func continueLetsIndependentBranchesFinish() async throws {
        let result = try await runWorkflow("""
            nodes:
              bad: { type: t_work, board: cont, ms: 5, fail_times: 1, on_error: continue }
              dependent: { type: t_work, board: cont, ms: 1, after: bad }
              consumer: { type: t_collect, board: cont, input: bad }
              independent: { type: t_work, board: cont, ms: 50 }
            """)
        #expect(result.status == .failed)
        #expect(result.node("bad").status == .failed)
        #expect(result.node("dependent").status == .upstreamFailed)
        #expect(result.node("consumer").status == .upstreamFailed)
        #expect(result.node("independent").status == .succeeded)
    }

    @Test func timeoutFailsTheNode() async throws {
        let result = try await runWorkflow("""
            nodes:
              slow: { type: t_work, board: timeout, ms: 5000, timeout: 50ms }
            """)
        #expect(result.status == .failed)
        #expect(result.node("slow").error == "node `slow` timed out after 50ms")
        // The node sleeps 5 s: finishing well before proves the timeout cut it short (loose bound: CI is busy).
        #expect(result.duration < 4)
    }

    @Test func retryRerunsAFailedNode() async throws {
        let result = try await runWorkflow("""
            nodes:
              flaky:
                type: t_work
                board: retry
                ms: 1
                fail_times: 2
                retry: { attempts: 3, backoff: constant, initial: 10ms }
            """)
        #expect(result.status == .succeeded)
        #expect(result.node("flaky").attempts == 3)

        let exhausted = try await runWorkflow("""
            defaults:
              retry: { attempts: 2, initial: 5ms }
            nodes:
              flaky: { type: t_work, board: retry2, ms: 1, fail_times: 5 }
            """)
        #expect(exhausted.status == .failed)
        #expect(exhausted.node("flaky").attempts == 2)
    }

    @Test func sourceLearnsWhetherItsDownstreamSucceeded() async throws {
        let ok = try await runWorkflow("""
            nodes:
              src: { type: t_ack, board: ack-ok, count: 50 }
              mid: { type: t_collect, board: ack-ok, input: src, forward: true }
              sink: { type: t_collect, board: ack-ok, input: mid }
            """)
        #expect(ok.status == .succeeded)
        #expect(Boards.board("ack-ok").events.last == "downstream succeeded")

        let failed = try await runWorkflow("""
            nodes:
              src: { type: t_ack, board: ack-fail, count: 50 }
              sink: { type: t_work, board: ack-fail, input: src, ms: 1, fail_times: 1, on_error: continue }
            """)
        #expect(failed.status == .failed)
        #expect(Boards.board("ack-fail").events.contains("downstream failed"))
    }

    @Test func cancellationStopsEveryNode() async throws {
        let plan = try makePlan("""
            nodes:
              src: { type: t_emit, board: cancel, count: 100000000 }
              sink: { type: t_collect, board: cancel, input: src, delay_ms: 5 }
              sleeper: { type: t_work, board: cancel, ms: 60000 }
              after: { type: t_work, board: cancel, ms: 1, after: sleeper }
            """)
        let task = Task { await Engine(batchSize: 10).run(plan, runID: "c", observer: NoObserver()) }
        try await Task.sleep(for: .milliseconds(100))
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.value
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(result.status == .cancelled)
        #expect(result.nodes.allSatisfy { $0.status == .cancelled })
    }
}

/// Records the counters so a test can watch records in flight.
final class LagObserver: RunObserver, @unchecked Sendable {
    // @unchecked: written once per node before the run starts, read afterwards by the test.
    private(set) var counters: [String: NodeCounters] = [:]
    private let finished = Mutex(false)
    var done: Bool { finished.withLock { $0 } }
    func track(_ id: String, counters: NodeCounters) { self.counters[id] = counters }
    func runFinished(_ result: RunResult) { finished.withLock { $0 = true } }
}

import Synchronization
