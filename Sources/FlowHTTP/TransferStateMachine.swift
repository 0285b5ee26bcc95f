/// Bookkeeping between the Swift tasks that start transfers and the worker thread that runs them.
///
/// A value type kept behind the worker's `Mutex`. Each method mutates the state and returns an action that
/// the caller runs *after* releasing the lock (fail a job, wake the worker). It does no I/O, so
/// it is unit-tested on its own. `Job` is generic for that reason: the worker stores a request and its
/// ``TransferCompletion`` in it; the tests store plain values.
///
/// Life of a transfer id: `register` → `submit` (queued) → `takeWork` (running, now owned by the worker
/// thread, which completes it) → `unregister` (after the caller's task has its result, or dropped its
/// ``HTTPTransfer``).
/// Cancellation can arrive at any point in between and is resolved by whoever owns the job at that moment.
struct TransferStateMachine<Job> {
    typealias ID = UInt64

    private enum Entry {
        /// Registered, not yet submitted; `cancelled` when the task was cancelled before the submission.
        case registered(cancelled: Bool)
        /// Waiting for the worker to pick it up; the state machine owns the job.
        case queued(Job)
        /// Owned by the worker thread.
        case running
        /// The job left the machine as failed (cancelled before the worker took it, or shut down).
        case finished
    }

    enum SubmitAction {
        /// The job is queued: wake the worker so it adds it to the multi handle.
        case wakeWorker
        /// The task was already cancelled: fail the job with `cancelled` right away.
        case failCancelled(Job)
        /// The client is shut down: fail the job with `shutDown` right away.
        case failShutDown(Job)
    }

    enum CancelAction {
        case none
        /// The job had not reached the worker yet: fail it with `cancelled`.
        case failCancelled(Job)
        /// The worker runs the job: wake it so it removes the easy handle and fails the job.
        case wakeWorker
    }

    struct Work {
        var jobs: [(id: ID, job: Job)] = []
        var cancellations: [ID] = []
        var shutDown = false
    }

    private var entries: [ID: Entry] = [:]
    private var queue: [ID] = []
    private var cancellations: [ID] = []
    private var nextID: ID = 1
    private(set) var isShutDown = false

    init() {}

    /// Number of registered transfers not yet unregistered (for tests and diagnostics).
    var registeredCount: Int { entries.count }

    mutating func register() -> ID {
        let id = nextID
        nextID += 1
        entries[id] = .registered(cancelled: false)
        return id
    }

    mutating func submit(_ id: ID, _ job: Job) -> SubmitAction {
        guard case .registered(let cancelled) = entries[id] else {
            preconditionFailure("transfer \(id) submitted twice or never registered")
        }
        if cancelled {
            entries[id] = .finished
            return .failCancelled(job)
        }
        if isShutDown {
            entries[id] = .finished
            return .failShutDown(job)
        }
        entries[id] = .queued(job)
        queue.append(id)
        return .wakeWorker
    }

    mutating func cancel(_ id: ID) -> CancelAction {
        switch entries[id] {
        case .registered:
            entries[id] = .registered(cancelled: true)
            return .none
        case .queued(let job):
            entries[id] = .finished
            queue.removeAll { $0 == id }
            return .failCancelled(job)
        case .running:
            cancellations.append(id)
            return .wakeWorker
        case .finished, nil:
            return .none
        }
    }

    mutating func unregister(_ id: ID) {
        entries[id] = nil
    }

    /// Called by the worker thread: hands over the queued jobs and the cancellation requests.
    mutating func takeWork() -> Work {
        var work = Work()
        work.shutDown = isShutDown
        for id in queue {
            guard case .queued(let job) = entries[id] else { continue }
            entries[id] = .running
            work.jobs.append((id, job))
        }
        queue.removeAll()
        work.cancellations = cancellations
        cancellations.removeAll()
        return work
    }

    /// Marks the machine shut down; returns the queued jobs, which the caller fails with `shutDown`.
    /// Running jobs are failed by the worker when it next calls `takeWork`.
    mutating func shutDown() -> [Job] {
        guard !isShutDown else { return [] }
        isShutDown = true
        var failed: [Job] = []
        for id in queue {
            if case .queued(let job) = entries[id] {
                failed.append(job)
                entries[id] = .finished
            }
        }
        queue.removeAll()
        return failed
    }
}
