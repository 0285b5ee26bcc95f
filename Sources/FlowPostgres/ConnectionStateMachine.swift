/// Whether a connection is free, running an operation, or closed. Pure value type: the connection
/// keeps it behind a `Mutex` and performs the returned actions outside the lock.
struct ConnectionStateMachine: Sendable {
    enum State: Sendable, Equatable { case idle, busy, closed }

    enum StartAction: Sendable, Equatable {
        /// Run the operation; call ``finishOperation()`` when it ends.
        case run
        /// Refuse: another operation holds the connection.
        case failBusy
        /// Refuse: the connection is closed.
        case failClosed
    }

    enum CloseAction: Sendable, Equatable {
        /// Close the libpq handle (queued behind a running operation, if any).
        case closeHandle
        /// Already closed: nothing to do.
        case none
    }

    private(set) var state = State.idle

    mutating func startOperation() -> StartAction {
        switch state {
        case .idle:
            state = .busy
            return .run
        case .busy: return .failBusy
        case .closed: return .failClosed
        }
    }

    mutating func finishOperation() {
        // A close() during the operation wins: the connection stays closed.
        if state == .busy { state = .idle }
    }

    mutating func close() -> CloseAction {
        if state == .closed { return .none }
        state = .closed
        return .closeHandle
    }
}
