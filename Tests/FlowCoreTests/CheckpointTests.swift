import FlowCore
import FlowJSON
import Testing

/// `RecordOutput.checkpoint()`: a marker after the records sent so far, acknowledged once every
/// downstream node processed them.
@Suite struct CheckpointTests {
    func acks(_ board: String) -> [String] {
        Boards.board(board).events.filter { $0.hasPrefix("ack ") }
    }

    @Test func aCheckpointWaitsForASlowSinkToProcessExactlyTheRecordsBeforeIt() async throws {
        // Batches of 10: 25 records per round are 3 batches, each taking the sink 20 ms.
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-slow, count: 25, rounds: 3, watch: sink }
              sink: { type: t_collect, board: ck-slow, input: src, delay_ms: 20 }
            """)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        #expect(acks("ck-slow") == ["ack 0 true seen=25", "ack 1 true seen=50", "ack 2 true seen=75"])
    }

    @Test func markersAreNotRecordsAndDoNotChangeCounts() async throws {
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-count, count: 25, rounds: 3, watch: sink }
              mid: { type: t_collect, board: ck-count, input: src, forward: true }
              sink: { type: t_collect, board: ck-count, input: mid }
            """)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        let board = Boards.board("ck-count")
        let records = board.records("sink")
        #expect(records.count == 75)
        #expect(records.allSatisfy { $0["r"]?.intValue != nil && $0["i"]?.intValue != nil })
        #expect(result.node("src").recordsOut == 75)
        #expect(result.node("mid").recordsIn == 75)
        #expect(result.node("mid").recordsOut == 75)
        #expect(result.node("sink").recordsIn == 75)
        // 10 + 10 + 5 per round: the checkpoint sends the partial batch, and adds none of its own.
        #expect(board.state.withLock { $0.batches["sink"] } == 9)
    }

    @Test func recordsWaitingInAnIntermediateWriterAreFlushedBeforeTheMarkerPasses() async throws {
        // 3 records per round stay below the batch size of 10 in `mid`'s writer, which sends only
        // when full or at the end: the marker must send them on.
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-writer, count: 3, rounds: 3, watch: sink }
              mid: { type: t_relay, input: src }
              sink: { type: t_collect, board: ck-writer, input: mid, delay_ms: 5 }
            """)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        #expect(acks("ck-writer") == ["ack 0 true seen=3", "ack 1 true seen=6", "ack 2 true seen=9"])
        #expect(result.node("sink").recordsIn == 9)
    }

    @Test func fanOutAcknowledgesOnceEveryConsumerProcessedTheRecords() async throws {
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-fan, count: 12, rounds: 2, watch: "x,y" }
              x: { type: t_collect, board: ck-fan, input: src, delay_ms: 2 }
              y: { type: t_collect, board: ck-fan, input: src, delay_ms: 25 }
            """)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        #expect(acks("ck-fan") == ["ack 0 true seen=24", "ack 1 true seen=48"])
    }

    @Test func aDiamondAcknowledgesOnceBothPathsReachedTheJoin() async throws {
        // `join` gets a copy of the marker from each branch: the fast branch's copy reaches it
        // before the slow branch's last batch, which `join` must process before the checkpoint
        // completes.
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-diamond, count: 12, rounds: 2, watch: join }
              left: { type: t_collect, board: ck-diamond, input: src, forward: true }
              right: { type: t_collect, board: ck-diamond, input: src, forward: true, delay_ms: 30 }
              join: { type: t_collect, board: ck-diamond, input: [left, right], delay_ms: 25 }
            """)
        #expect(result.status == .succeeded, "\(result.error ?? "")")
        #expect(acks("ck-diamond") == ["ack 0 true seen=24", "ack 1 true seen=48"])
        #expect(result.node("join").recordsIn == 48)
    }

    @Test func aFailingSinkMakesTheCheckpointReturnFalse() async throws {
        // `on_error: continue` keeps the run going, so the source learns it from the checkpoint
        // rather than from being cancelled; later checkpoints fail at once.
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-fail, count: 5, rounds: 2, watch: sink }
              sink: { type: t_work, board: ck-fail, input: src, ms: 20, fail_times: 1, on_error: continue }
            """)
        #expect(result.node("sink").status == .failed)
        #expect(result.node("src").status == .succeeded)
        #expect(acks("ck-fail") == ["ack 0 false seen=0", "ack 1 false seen=0"])
    }

    @Test func aCheckpointWithoutConsumersIsAcknowledgedAtOnce() async throws {
        let result = try await runWorkflow("""
            nodes:
              src: { type: t_checkpoint, board: ck-alone, count: 5, rounds: 1, watch: none }
            """)
        #expect(result.status == .succeeded)
        #expect(acks("ck-alone") == ["ack 0 true seen=0"])
    }
}
