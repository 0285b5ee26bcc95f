import Synchronization

/// Spaces out the requests of one node to at most `rate` per second, whichever task sends them.
///
/// Each caller reserves the next free slot under the lock and sleeps until it, outside the lock:
/// a token bucket of depth one, so requests never come in bursts.
final class RateLimiter: Sendable {
    let interval: Duration
    private let next = Mutex<ContinuousClock.Instant?>(nil)

    init(perSecond rate: Double) {
        interval = .nanoseconds(Int64((1_000_000_000 / rate).rounded()))
    }

    /// The slot reserved for a request asked for at `now`.
    func reserve(now: ContinuousClock.Instant) -> ContinuousClock.Instant {
        next.withLock { next in
            let slot = max(now, next ?? now)
            next = slot + interval
            return slot
        }
    }

    /// Waits for this request's turn.
    func acquire() async throws {
        let clock = ContinuousClock()
        let slot = reserve(now: clock.now)
        if slot > clock.now { try await Task.sleep(until: slot, clock: clock) }
    }
}
