/// A request handed to the client, under way while the caller does other work.
///
/// ``HTTPClient/start(_:)`` submits the request and returns at once; ``response()`` waits for the
/// outcome. A caller that processes one response while the next request transfers (pagination) saves
/// a task and a thread hand-off per request compared with a child task around ``HTTPClient/execute(_:)``,
/// and gets a response that arrived meanwhile without suspending.
///
/// ``HTTPClient/start(_:after:)`` with a previous transfer makes this one its follower: the client's
/// thread sends it the moment the previous one ends with a 2xx response, on the connection that one
/// used, without waiting for the caller to see that response. If the previous one fails or answers
/// otherwise, this one waits until its ``response()`` is asked for, so it never overtakes a request the
/// caller retries.
///
/// Dropping the handle before the response arrived cancels the transfer.
public final class HTTPTransfer: Sendable {
    let worker: CurlWorker
    let id: UInt64
    private let completion: TransferCompletion
    /// The request's URL (not masked).
    public let url: String
    /// Started with `after:` and waiting for its predecessor.
    private let follows: Bool

    init(worker: CurlWorker, id: UInt64, completion: TransferCompletion, url: String, follows: Bool) {
        self.worker = worker
        self.id = id
        self.completion = completion
        self.url = url
        self.follows = follows
    }

    deinit {
        worker.drop(id, cancel: !completion.isComplete, url: url)
    }

    /// Waits for the whole response. A non-2xx status is a response, not an error. Call it once.
    ///
    /// - Throws: ``HTTPClientError`` when no complete response arrived; cancelling the calling task
    ///   cancels the transfer (``HTTPClientError/Kind/cancelled``).
    public func response() async throws(HTTPClientError) -> HTTPResponse {
        if follows { worker.release(id) }
        let outcome = await withTaskCancellationHandler {
            await completion.wait()
        } onCancel: {
            worker.cancel(id, url: url)
        }
        return try outcome.get()
    }
}
