import Testing

@testable import FlowHTTP

/// The hand-over between tasks and the worker thread, without I/O.
@Suite struct TransferStateMachineTests {
    typealias Machine = TransferStateMachine<String>

    @Test func submitQueuesAndWorkerTakesOver() {
        var machine = Machine()
        let id = machine.register()
        guard case .wakeWorker = machine.submit(id, "job") else { Issue.record("expected wake"); return }
        let work = machine.takeWork()
        #expect(work.jobs.map(\.job) == ["job"])
        #expect(work.jobs.map(\.id) == [id])
        #expect(machine.takeWork().jobs.isEmpty)
        machine.unregister(id)
        #expect(machine.registeredCount == 0)
    }

    @Test func cancelBeforeSubmitFailsTheSubmission() {
        var machine = Machine()
        let id = machine.register()
        guard case .none = machine.cancel(id) else { Issue.record("expected none"); return }
        guard case .failCancelled("job") = machine.submit(id, "job") else { Issue.record("expected fail"); return }
        #expect(machine.takeWork().jobs.isEmpty)
    }

    @Test func cancelWhileQueuedReturnsTheJob() {
        var machine = Machine()
        let id = machine.register()
        _ = machine.submit(id, "job")
        guard case .failCancelled("job") = machine.cancel(id) else { Issue.record("expected fail"); return }
        #expect(machine.takeWork().jobs.isEmpty)
        guard case .none = machine.cancel(id) else { Issue.record("second cancel must do nothing"); return }
    }

    @Test func cancelWhileRunningAsksTheWorker() {
        var machine = Machine()
        let id = machine.register()
        _ = machine.submit(id, "job")
        _ = machine.takeWork()
        guard case .wakeWorker = machine.cancel(id) else { Issue.record("expected wake"); return }
        #expect(machine.takeWork().cancellations == [id])
        #expect(machine.takeWork().cancellations.isEmpty)
    }

    @Test func cancelAfterUnregisterIsIgnored() {
        var machine = Machine()
        let id = machine.register()
        machine.unregister(id)
        guard case .none = machine.cancel(id) else { Issue.record("expected none"); return }
    }

    @Test func shutDownFailsQueuedAndRefusesNewJobs() {
        var machine = Machine()
        let queued = machine.register()
        let running = machine.register()
        _ = machine.submit(running, "running")
        _ = machine.takeWork()
        _ = machine.submit(queued, "queued")
        #expect(machine.shutDown() == ["queued"])
        #expect(machine.shutDown().isEmpty)
        let work = machine.takeWork()
        #expect(work.shutDown)
        #expect(work.jobs.isEmpty)
        let late = machine.register()
        guard case .failShutDown("late") = machine.submit(late, "late") else { Issue.record("expected refusal"); return }
    }

    // MARK: Followers

    /// A running transfer and one submitted after it.
    func chain(_ machine: inout Machine) -> (first: Machine.ID, second: Machine.ID) {
        let first = machine.register()
        _ = machine.submit(first, "first")
        _ = machine.takeWork()
        let second = machine.register()
        guard case .follow = machine.submit(second, "second", after: first) else {
            Issue.record("expected follow")
            return (first, second)
        }
        return (first, second)
    }

    @Test func aFollowerStartsWhenItsPredecessorSucceeds() {
        var machine = Machine()
        let (first, second) = chain(&machine)
        #expect(machine.takeWork().jobs.isEmpty)  // not queued: it waits
        let next = machine.finished(first, succeeded: true)
        #expect(next?.id == second)
        #expect(next?.job == "second")
        #expect(machine.takeWork().jobs.isEmpty)  // the worker owns it already
        guard case .wakeWorker = machine.cancel(second) else { Issue.record("a running follower is cancelled by the worker"); return }
    }

    @Test func aFollowerOfAFailedTransferWaitsForItsTask() {
        var machine = Machine()
        let (first, second) = chain(&machine)
        #expect(machine.finished(first, succeeded: false) == nil)
        #expect(machine.takeWork().jobs.isEmpty)
        let wake = machine.release(second)
        #expect(wake)  // queued now: wake the worker
        #expect(machine.takeWork().jobs.map(\.job) == ["second"])
    }

    @Test func aReleasedFollowerStartsHoweverItsPredecessorEnds() {
        var machine = Machine()
        let (first, second) = chain(&machine)
        let wake = machine.release(second)
        #expect(!wake)  // still following: nothing to wake
        #expect(machine.finished(first, succeeded: false)?.id == second)
    }

    @Test func aFollowerOfAnEndedTransferIsQueued() {
        var machine = Machine()
        let first = machine.register()
        _ = machine.submit(first, "first")
        _ = machine.takeWork()
        _ = machine.finished(first, succeeded: true)
        let second = machine.register()
        guard case .wakeWorker = machine.submit(second, "second", after: first) else { Issue.record("expected queue"); return }
        #expect(machine.takeWork().jobs.map(\.job) == ["second"])
    }

    @Test func aFollowerOfATransferThatEndedBadlyIsHeld() {
        var machine = Machine()
        let first = machine.register()
        _ = machine.submit(first, "first")
        _ = machine.takeWork()
        _ = machine.finished(first, succeeded: false)
        let second = machine.register()
        guard case .follow = machine.submit(second, "second", after: first) else { Issue.record("expected follow"); return }
        #expect(machine.takeWork().jobs.isEmpty)
        let wake = machine.release(second)
        #expect(wake)
        #expect(machine.takeWork().jobs.map(\.job) == ["second"])
    }

    @Test func aTransferHasOneFollower() {
        var machine = Machine()
        let (first, _) = chain(&machine)
        let third = machine.register()
        guard case .wakeWorker = machine.submit(third, "third", after: first) else { Issue.record("expected queue"); return }
    }

    @Test func followersChain() {
        var machine = Machine()
        let (first, second) = chain(&machine)
        let third = machine.register()
        guard case .follow = machine.submit(third, "third", after: second) else { Issue.record("expected follow"); return }
        #expect(machine.finished(first, succeeded: true)?.id == second)
        #expect(machine.finished(second, succeeded: true)?.id == third)
    }

    @Test func cancellingAFollowerFailsIt() {
        var machine = Machine()
        let (first, second) = chain(&machine)
        guard case .failCancelled("second") = machine.cancel(second) else { Issue.record("expected fail"); return }
        #expect(machine.finished(first, succeeded: true) == nil)
    }

    @Test func cancellingAQueuedPredecessorLetsItsReleasedFollowerGo() {
        var machine = Machine()
        let first = machine.register()
        _ = machine.submit(first, "first")
        let second = machine.register()
        guard case .follow = machine.submit(second, "second", after: first) else { Issue.record("expected follow"); return }
        _ = machine.release(second)
        guard case .failCancelledAndWakeWorker("first") = machine.cancel(first) else { Issue.record("expected fail and wake"); return }
        #expect(machine.takeWork().jobs.map(\.job) == ["second"])
    }

    @Test func cancellingAQueuedPredecessorHoldsItsFollower() {
        var machine = Machine()
        let first = machine.register()
        _ = machine.submit(first, "first")
        let second = machine.register()
        _ = machine.submit(second, "second", after: first)
        guard case .failCancelled("first") = machine.cancel(first) else { Issue.record("expected fail"); return }
        #expect(machine.takeWork().jobs.isEmpty)
        let wake = machine.release(second)
        #expect(wake)
        #expect(machine.takeWork().jobs.map(\.job) == ["second"])
    }

    @Test func shutDownFailsFollowers() {
        var machine = Machine()
        let (first, _) = chain(&machine)
        let third = machine.register()
        _ = machine.submit(third, "third")
        #expect(Set(machine.shutDown()) == ["second", "third"])
        #expect(machine.finished(first, succeeded: true) == nil)
    }

    @Test func idsAreUnique() {
        var machine = Machine()
        let ids = (0..<100).map { _ in machine.register() }
        #expect(Set(ids).count == 100)
    }
}
