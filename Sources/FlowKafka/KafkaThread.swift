import Foundation

/// A dedicated OS thread for librdkafka's blocking calls (`rd_kafka_poll`, `rd_kafka_consumer_poll`,
/// `rd_kafka_commit`, metadata queries), so they never block Swift's cooperative thread pool.
///
/// Jobs run one at a time in submission order. Between jobs the thread runs `idle` (the producer
/// polls for delivery reports there) or, without one, sleeps until a job arrives.
///
/// `@unchecked Sendable`: `jobs` and `stopping` are only touched with `condition` locked.
final class KafkaThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false
    private let idle: (@Sendable () -> Void)?

    /// Starts the thread. `idle` must return within a short time (it delays jobs and `stop`).
    init(name: String, idle: (@Sendable () -> Void)? = nil) {
        self.idle = idle
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping && idle == nil {
                condition.wait()
            }
            let batch = jobs
            jobs.removeAll()
            let stop = stopping && batch.isEmpty
            condition.unlock()
            if stop { return }
            for job in batch { job() }
            if batch.isEmpty, let idle { idle() }
        }
    }

    /// Queues `job`; returns false when the thread is stopping (the job will not run).
    @discardableResult
    func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    /// Runs `body` on the thread and returns its result to the calling task.
    func run<T: Sendable>(
        operation: String, _ body: @escaping @Sendable () throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        let result: Result<T, KafkaError> = await withCheckedContinuation { continuation in
            let queued = submit {
                continuation.resume(returning: Result { () throws(KafkaError) -> T in try body() })
            }
            if !queued {
                continuation.resume(returning: .failure(.closed(operation: operation)))
            }
        }
        return try result.get()
    }

    /// Lets queued jobs finish, then ends the thread. The thread releases `idle` and every job when
    /// it exits, which is where the client handles it holds get destroyed.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }
}
