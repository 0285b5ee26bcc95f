import Synchronization

/// Where the worker thread delivers a transfer's outcome: kept until the task asks for it, or handed
/// straight to the task already waiting.
///
/// A task that asks after the transfer finished gets the outcome without suspending, which saves a
/// thread hand-off per request when it started the transfer ahead of time (``HTTPTransfer``). The
/// continuation is resumed outside the lock, exactly once.
final class TransferCompletion: Sendable {
    typealias Outcome = Result<HTTPResponse, HTTPClientError>

    private enum State {
        case pending
        case waiting(CheckedContinuation<Outcome, Never>)
        case done(Outcome)
        /// The outcome went to the task.
        case taken
    }

    private let state = Mutex(State.pending)

    init() {}

    /// Called once per transfer (worker thread, or the task that failed it before the worker took it).
    func complete(_ outcome: Outcome) {
        let waiter: CheckedContinuation<Outcome, Never>? = state.withLock { state in
            switch state {
            case .pending:
                state = .done(outcome)
                return nil
            case .waiting(let continuation):
                state = .taken
                return continuation
            case .done, .taken:
                preconditionFailure("a transfer completed twice")
            }
        }
        waiter?.resume(returning: outcome)
    }

    /// True once the outcome is known (whether or not it was taken).
    var isComplete: Bool {
        state.withLock { state in
            if case .pending = state { return false }
            if case .waiting = state { return false }
            return true
        }
    }

    /// The outcome; suspends until the transfer completes. Only one task may wait, once.
    func wait() async -> Outcome {
        if let outcome = take() { return outcome }
        return await withCheckedContinuation { continuation in
            let outcome: Outcome? = state.withLock { state in
                switch state {
                case .pending:
                    state = .waiting(continuation)
                    return nil
                case .done(let outcome):
                    state = .taken
                    return outcome
                case .waiting, .taken:
                    preconditionFailure("a transfer's outcome was asked for twice")
                }
            }
            if let outcome { continuation.resume(returning: outcome) }
        }
    }

    private func take() -> Outcome? {
        state.withLock { state in
            guard case .done(let outcome) = state else { return nil }
            state = .taken
            return outcome
        }
    }
}
