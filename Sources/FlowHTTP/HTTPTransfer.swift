/// A request handed to the client, under way while the caller does other work.
///
/// ``HTTPClient/start(_:)`` submits the request and returns at once; ``response()`` waits for the
/// outcome. A caller that processes one response while the next request transfers (pagination) saves
/// a task and a thread hand-off per request compared with a child task around ``HTTPClient/execute(_:)``,
/// and gets a response that arrived meanwhile without suspending.
///
/// Dropping the handle before the response arrived cancels the transfer.
public final class HTTPTransfer: Sendable {
    private let worker: CurlWorker
    private let id: UInt64
    private let completion: TransferCompletion
    /// The request's URL (not masked).
    public let url: String

    init(worker: CurlWorker, id: UInt64, completion: TransferCompletion, url: String) {
        self.worker = worker
        self.id = id
        self.completion = completion
        self.url = url
    }

    deinit {
        worker.release(id, cancel: !completion.isComplete, url: url)
    }

    /// Waits for the whole response. A non-2xx status is a response, not an error. Call it once.
    ///
    /// - Throws: ``HTTPClientError`` when no complete response arrived; cancelling the calling task
    ///   cancels the transfer (``HTTPClientError/Kind/cancelled``).
    public func response() async throws(HTTPClientError) -> HTTPResponse {
        let outcome = await withTaskCancellationHandler {
            await completion.wait()
        } onCancel: {
            worker.cancel(id, url: url)
        }
        return try outcome.get()
    }
}
