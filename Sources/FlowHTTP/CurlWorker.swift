import CCurl
import CCurlShim
import Foundation
import Synchronization

/// The multi handle and the thread that drives it.
///
/// One dedicated `Thread` runs `curl_multi_perform` / `curl_multi_poll` in a loop, so blocking in curl
/// never occupies Swift's cooperative pool. Swift tasks hand work over through the `Mutex`-protected
/// ``TransferStateMachine`` and `curl_multi_wakeup`, the one multi function that libcurl allows from any
/// thread. Everything else about the multi handle, the easy handles and ``CurlTransfer`` objects is
/// touched by the worker thread only.
///
/// Ownership: the worker creates and frees easy handles (pooled after `curl_easy_reset`), and frees the
/// multi handle when its loop ends after ``shutDown()``. The thread holds a strong reference to this
/// object until then.
final class CurlWorker: Sendable {
    /// `CURLM *`. Sendable because other threads only ever call `curl_multi_wakeup` on it, which libcurl
    /// documents as thread-safe; the worker thread is the only user of every other multi function.
    private struct MultiHandle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    private let state = Mutex(TransferStateMachine<TransferJob>())
    private let multi: MultiHandle
    private let configuration: HTTPClient.Configuration

    init(configuration: HTTPClient.Configuration) {
        _ = CurlWorker.globalInit
        self.configuration = configuration
        guard let pointer = curl_multi_init() else { fatalError("curl_multi_init failed (out of memory)") }
        multi = MultiHandle(pointer: pointer)
        _ = flow_curl_multi_setopt_long(pointer, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
        _ = flow_curl_multi_setopt_long(pointer, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxTotalConnections)
        _ = flow_curl_multi_setopt_long(pointer, CURLMOPT_MAXCONNECTS, configuration.connectionCacheSize)
        _ = flow_curl_multi_setopt_long(pointer, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        let thread = Thread { [self] in self.run() }
        thread.name = "flow-http"
        thread.start()
    }

    /// `curl_global_init` before the first handle, once per process (not thread-safe in older libcurl).
    private static let globalInit: Void = { _ = flow_curl_global_init() }()

    // MARK: Called from Swift tasks

    /// Runs one transfer to completion; a cancelled task gets ``HTTPClientError/Kind/cancelled`` promptly
    /// (without a transfer when it was cancelled before the call).
    func perform(_ kind: TransferKind) async throws(HTTPClientError) -> HTTPResponse {
        let id = state.withLock { $0.register() }
        defer { state.withLock { $0.unregister(id) } }
        let completion = TransferCompletion()
        let outcome = await withTaskCancellationHandler {
            switch state.withLock({ $0.submit(id, TransferJob(kind: kind, completion: completion)) }) {
            case .wakeWorker: curl_multi_wakeup(multi.pointer)
            case .failCancelled(let job): job.fail(.cancelled(url: kind.url))
            case .failShutDown(let job): job.fail(.shutDown(url: kind.url))
            case .follow: break
            }
            return await completion.wait()
        } onCancel: {
            cancel(id, url: kind.url)
        }
        return try outcome.get()
    }

    /// Submits a transfer and returns without waiting for it (``HTTPTransfer``); with `previous`, as
    /// its follower (``TransferStateMachine``).
    func start(_ kind: TransferKind, after previous: UInt64? = nil) -> HTTPTransfer {
        let completion = TransferCompletion()
        let (id, action) = state.withLock { state in
            let id = state.register()
            return (id, state.submit(id, TransferJob(kind: kind, completion: completion), after: previous))
        }
        var follows = false
        switch action {
        case .wakeWorker: curl_multi_wakeup(multi.pointer)
        case .failCancelled(let job): job.fail(.cancelled(url: kind.url))
        case .failShutDown(let job): job.fail(.shutDown(url: kind.url))
        case .follow: follows = true
        }
        return HTTPTransfer(worker: self, id: id, completion: completion, url: kind.url, follows: follows)
    }

    /// The task waits for follower `id`: make sure it will run.
    func release(_ id: UInt64) {
        if state.withLock({ $0.release(id) }) { curl_multi_wakeup(multi.pointer) }
    }

    /// Cancels transfer `id` wherever it is: fails it at once while queued, asks the worker while running.
    func cancel(_ id: UInt64, url: String) {
        run(state.withLock { $0.cancel(id) }, url: url)
    }

    /// Forgets transfer `id` once its handle is gone; cancels it first when it has not completed.
    func drop(_ id: UInt64, cancel: Bool, url: String) {
        let action = state.withLock { state in
            defer { state.unregister(id) }
            return cancel ? state.cancel(id) : .none
        }
        run(action, url: url)
    }

    private func run(_ action: TransferStateMachine<TransferJob>.CancelAction, url: String) {
        switch action {
        case .none: break
        case .failCancelled(let job): job.fail(.cancelled(url: url))
        case .failCancelledAndWakeWorker(let job):
            job.fail(.cancelled(url: url))
            curl_multi_wakeup(multi.pointer)
        case .wakeWorker: curl_multi_wakeup(multi.pointer)
        }
    }

    /// Fails queued and running transfers with `shutDown` and lets the thread end. Idempotent.
    func shutDown() {
        let failed = state.withLock { $0.shutDown() }
        for job in failed { job.fail(.shutDown(url: job.kind.url)) }
        curl_multi_wakeup(multi.pointer)
    }

    // MARK: The worker thread

    private func run() {
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        var byID: [UInt64: UnsafeMutableRawPointer] = [:]
        var pool: [UnsafeMutableRawPointer] = []
        let poolLimit = 64

        func finish(_ transfer: CurlTransfer, _ outcome: Result<HTTPResponse, HTTPClientError>) {
            curl_multi_remove_handle(multi.pointer, transfer.easy)
            // The task first, so that its wake-up overlaps the clean-up below; work it submits in
            // return is taken at the top of the next loop, when the connection is back in the cache.
            transfer.job.completion.complete(outcome)
            let succeeded = if case .success(let response) = outcome { response.isSuccess } else { false }
            active[transfer.easy] = nil
            byID[transfer.id] = nil
            // Reset before freeing the lists the handle still points to; the pooled handle keeps
            // nothing of this transfer (the connection cache lives in the multi handle).
            curl_easy_reset(transfer.easy)
            transfer.releaseResources()
            if pool.count < poolLimit { pool.append(transfer.easy) } else { curl_easy_cleanup(transfer.easy) }
            // Its follower goes out now, on the connection just freed, without waiting for the task.
            if let next = state.withLock({ $0.finished(transfer.id, succeeded: succeeded) }) {
                start(next.id, next.job)
            }
        }

        func start(_ id: UInt64, _ job: TransferJob) {
            /// Fails a job that never reached the multi handle; a follower released by its task still goes.
            func fail(_ error: HTTPClientError) {
                job.fail(error)
                if let next = state.withLock({ $0.finished(id, succeeded: false) }) { start(next.id, next.job) }
            }
            guard let easy = pool.popLast() ?? curl_easy_init() else {
                fail(.curl(code: Int(CURLE_OUT_OF_MEMORY.rawValue), message: "curl_easy_init failed", url: job.kind.url))
                return
            }
            let transfer = CurlTransfer(id: id, job: job, easy: easy)
            if let error = transfer.configure(userAgent: configuration.userAgent) {
                curl_easy_reset(easy)
                transfer.releaseResources()
                pool.append(easy)
                fail(error)
                return
            }
            let code = curl_multi_add_handle(multi.pointer, easy)
            guard code == CURLM_OK else {
                curl_easy_reset(easy)
                transfer.releaseResources()
                pool.append(easy)
                let message = String(cString: curl_multi_strerror(code))
                fail(.curl(code: Int(CURLE_FAILED_INIT.rawValue), message: message, url: job.kind.url))
                return
            }
            active[easy] = transfer
            byID[id] = easy
        }

        var running: Int32 = 0
        while true {
            let work = state.withLock { $0.takeWork() }
            for (id, job) in work.jobs { start(id, job) }
            for id in work.cancellations {
                if let easy = byID[id], let transfer = active[easy] {
                    finish(transfer, .failure(.cancelled(url: transfer.job.kind.url)))
                }
            }
            if work.shutDown {
                for transfer in Array(active.values) {
                    finish(transfer, .failure(.shutDown(url: transfer.job.kind.url)))
                }
                break
            }

            curl_multi_perform(multi.pointer, &running)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi.pointer, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                    let transfer = active[easy]
                else { continue }
                // Read the result before finish(): removing the handle invalidates `message`.
                let result = message.pointee.data.result
                finish(transfer, transfer.outcome(result))
            }
            // Returns early on socket activity, curl's own timers, or curl_multi_wakeup.
            curl_multi_poll(multi.pointer, nil, 0, active.isEmpty ? 10_000 : 1_000, nil)
        }

        for easy in pool { curl_easy_cleanup(easy) }
        curl_multi_cleanup(multi.pointer)
    }
}
