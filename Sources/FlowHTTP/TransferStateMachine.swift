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
///
/// A job submitted `after` a queued or running one is its follower: the worker starts it as soon as that
/// one ends with success (`finished`), in the same loop, without a round trip through the task. When it
/// ends otherwise, the follower is held until the task asks for its response (`release`), so that a
/// request that failed or must be retried is not overtaken by the next one.
struct TransferStateMachine<Job> {
    typealias ID = UInt64

    private enum Entry {
        /// Registered, not yet submitted; `cancelled` when the task was cancelled before the submission.
        case registered(cancelled: Bool)
        /// Waiting for the worker to pick it up; the state machine owns the job.
        case queued(Job)
        /// Owned by the worker thread.
        case running
        /// Waits for `previous` to end; `released` once the task asked for its response (then it
        /// starts however `previous` ends).
        case following(previous: ID, job: Job, released: Bool)
        /// Its predecessor ended without success: waits for `release`.
        case held(Job)
        /// The job left the machine: completed by the worker (`succeeded` as it told `finished`),
        /// cancelled before the worker took it, or shut down.
        case finished(succeeded: Bool)
    }

    enum SubmitAction {
        /// The job is queued: wake the worker so it adds it to the multi handle.
        case wakeWorker
        /// The task was already cancelled: fail the job with `cancelled` right away.
        case failCancelled(Job)
        /// The client is shut down: fail the job with `shutDown` right away.
        case failShutDown(Job)
        /// The job follows a transfer that has not ended, or is held after one that failed: nothing to
        /// do now.
        case follow
    }

    enum CancelAction {
        case none
        /// The job had not reached the worker yet: fail it with `cancelled`.
        case failCancelled(Job)
        /// As `failCancelled`, and wake the worker: the job's released follower is queued in its place.
        case failCancelledAndWakeWorker(Job)
        /// The worker runs the job: wake it so it removes the easy handle and fails the job.
        case wakeWorker
    }

    struct Work {
        var jobs: [(id: ID, job: Job)] = []
        var cancellations: [ID] = []
        var shutDown = false
    }

    private var entries: [ID: Entry] = [:]
    /// Predecessor → follower.
    private var followers: [ID: ID] = [:]
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

    /// Queues `job`, or with `previous` (a transfer that has not ended and has no follower) makes it
    /// that transfer's follower; after a `previous` that ended without success, it is held.
    mutating func submit(_ id: ID, _ job: Job, after previous: ID? = nil) -> SubmitAction {
        guard case .registered(let cancelled) = entries[id] else {
            preconditionFailure("transfer \(id) submitted twice or never registered")
        }
        if cancelled {
            entries[id] = .finished(succeeded: false)
            return .failCancelled(job)
        }
        if isShutDown {
            entries[id] = .finished(succeeded: false)
            return .failShutDown(job)
        }
        if let previous, followers[previous] == nil {
            switch entries[previous] {
            case .queued, .running, .following, .held:
                entries[id] = .following(previous: previous, job: job, released: false)
                followers[previous] = id
                return .follow
            case .finished(succeeded: false):
                // Whoever owns `previous` may retry it: do not overtake it.
                entries[id] = .held(job)
                return .follow
            default:
                break
            }
        }
        entries[id] = .queued(job)
        queue.append(id)
        return .wakeWorker
    }

    /// The task asks for the response of `id`: a held follower is queued (true: wake the worker); one
    /// still following will start however its predecessor ends.
    mutating func release(_ id: ID) -> Bool {
        switch entries[id] {
        case .following(let previous, let job, _):
            entries[id] = .following(previous: previous, job: job, released: true)
            return false
        case .held(let job):
            entries[id] = .queued(job)
            queue.append(id)
            return true
        default:
            return false
        }
    }

    /// Called by the worker thread when transfer `id` ended (`succeeded`: a response the follower may
    /// come after). Returns the follower to start now, which is then owned by the worker.
    mutating func finished(_ id: ID, succeeded: Bool) -> (id: ID, job: Job)? {
        if case .running = entries[id] { entries[id] = .finished(succeeded: succeeded) }
        guard let follower = followers.removeValue(forKey: id),
            case .following(_, let job, let released) = entries[follower]
        else { return nil }
        if succeeded || released {
            entries[follower] = .running
            return (follower, job)
        }
        entries[follower] = .held(job)
        return nil
    }

    mutating func cancel(_ id: ID) -> CancelAction {
        switch entries[id] {
        case .registered:
            entries[id] = .registered(cancelled: true)
            return .none
        case .queued(let job):
            queue.removeAll { $0 == id }
            return leave(id, job)
        case .following(let previous, let job, _):
            followers[previous] = nil
            return leave(id, job)
        case .held(let job):
            return leave(id, job)
        case .running:
            cancellations.append(id)
            return .wakeWorker
        case .finished, nil:
            return .none
        }
    }

    /// Job `id` is cancelled before it reached the worker; its follower stops waiting for it (held,
    /// or queued when its task already asks for it).
    private mutating func leave(_ id: ID, _ job: Job) -> CancelAction {
        entries[id] = .finished(succeeded: false)
        guard let follower = followers.removeValue(forKey: id),
            case .following(_, let next, let released) = entries[follower]
        else { return .failCancelled(job) }
        guard released else {
            entries[follower] = .held(next)
            return .failCancelled(job)
        }
        entries[follower] = .queued(next)
        queue.append(follower)
        return .failCancelledAndWakeWorker(job)
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

    /// Marks the machine shut down; returns the queued, following and held jobs, which the caller fails
    /// with `shutDown`.
    /// Running jobs are failed by the worker when it next calls `takeWork`.
    mutating func shutDown() -> [Job] {
        guard !isShutDown else { return [] }
        isShutDown = true
        var failed: [Job] = []
        for id in queue {
            if case .queued(let job) = entries[id] {
                failed.append(job)
                entries[id] = .finished(succeeded: false)
            }
        }
        queue.removeAll()
        for (id, entry) in entries {
            switch entry {
            case .following(_, let job, _), .held(let job):
                failed.append(job)
                entries[id] = .finished(succeeded: false)
            default:
                break
            }
        }
        followers.removeAll()
        return failed
    }
}
