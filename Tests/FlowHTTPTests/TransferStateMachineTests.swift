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

    @Test func idsAreUnique() {
        var machine = Machine()
        let ids = (0..<100).map { _ in machine.register() }
        #expect(Set(ids).count == 100)
    }
}
