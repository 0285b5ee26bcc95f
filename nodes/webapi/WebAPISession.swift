import FlowCore
import FlowHTTP
import FlowJSON
import JSONPath
import Synchronization

/// What one run of a `webapi` node shares between its requests: the HTTP client, the rate limiter,
/// the OAuth2 token cache and the counters.
final class WebAPISession: Sendable {
    struct Stats: Sendable {
        var requests = 0
        var retries = 0
        var pages = 0
        var bytes = 0
    }

    let node: WebAPINode
    let context: NodeContext
    let client: HTTPClient
    let limiter: RateLimiter?
    let tokens: OAuth2TokenCache?
    let stats = Mutex(Stats())

    init(node: WebAPINode, context: NodeContext, client: HTTPClient = .shared) {
        self.node = node
        self.context = context
        self.client = client
        limiter = node.rateLimit.map { RateLimiter(perSecond: $0) }
        if case .oauth2(let credentials)? = node.auth {
            tokens = OAuth2TokenCache(credentials: credentials, client: client, masker: context.masker, timeout: node.requestTimeout)
        } else {
            tokens = nil
        }
        for secret in node.auth?.secrets ?? [] { context.masker.add(secret) }
    }

    /// Header names whose values are credentials.
    static func isSensitiveHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "authorization" || lower == "proxy-authorization" || lower == "cookie"
            || ["key", "token", "secret", "auth", "session", "signature", "password"].contains { lower.contains($0) }
    }

    /// A URL fit for logs and errors.
    func masked(_ url: String) -> String { context.masker.mask(URLMasking.mask(url)) }

    func publishMetrics() {
        let s = stats.withLock { $0 }
        context.counters.set(s.requests, for: "requests")
        context.counters.set(s.pages, for: "pages")
        if s.retries > 0 { context.counters.set(s.retries, for: "retries") }
        context.counters.set(s.bytes, for: "bytes_received")
    }

    // MARK: One request, with retries

    /// Sends `request` until it gets an accepted status, retrying connection errors, timeouts, 408,
    /// 425, 429 and 5xx (except 501 and 505) up to the policy's attempts, honouring `Retry-After`.
    func send(_ request: PreparedRequest) async throws -> HTTPResponse {
        try await finish(try await start(request))
    }

    /// An attempt of a request under way: started by `start`, seen through by `finish`.
    struct Attempt: Sendable {
        let request: PreparedRequest
        let transfer: HTTPTransfer
        /// The OAuth2 token it carries, to refresh once on a 401.
        let token: String?
    }

    /// Starts an attempt of `request` and returns without waiting for the response: waits for the
    /// rate limiter, adds the credentials and hands the request to the client. `finish` gets the
    /// response, so a caller can process one page while the next transfers. With `previous`, the
    /// client sends it as soon as `previous` got a 2xx response (`HTTPClient.start(_:after:)`);
    /// not with a rate limit, whose permits must be taken when requests go out.
    func start(_ request: PreparedRequest, after previous: Attempt? = nil) async throws -> Attempt {
        try Task.checkCancellation()
        if let limiter { try await limiter.acquire() }
        var headers = request.headers
        var url = request.url
        var token: String?
        switch node.auth {
        case .bearer(let value)?: headers.replaceOrAdd(name: "Authorization", value: "Bearer " + value)
        case .basic(let user, let password)?:
            headers.replaceOrAdd(name: "Authorization", value: "Basic " + Base64.encode(Array("\(user):\(password)".utf8)))
        case .apiKeyHeader(let name, let value)?: headers.replaceOrAdd(name: name, value: value)
        case .apiKeyQuery(let name, let value)?:
            if WebURL.scheme(url) != "file" { url = WebURL.appending([(name, value)], to: url, replacing: [name]) }
        case .oauth2?:
            token = try await tokens!.current()
            headers.replaceOrAdd(name: "Authorization", value: "Bearer " + token!)
        case nil: break
        }
        let httpRequest = HTTPRequest(
            method: node.method, url: url, headers: headers, body: request.body, timeout: node.requestTimeout,
            connectTimeout: node.connectTimeout, maxResponseBytes: node.maxResponseBytes, insecure: node.insecure)
        stats.withLock { $0.requests += 1 }
        let transfer = client.start(httpRequest, after: limiter == nil ? previous?.transfer : nil)
        return Attempt(request: request, transfer: transfer, token: token)
    }

    /// Waits for the response to `first` (from `start`) and retries as `send` describes.
    func finish(_ first: Attempt) async throws -> HTTPResponse {
        let policy = node.retry
        let request = first.request
        var current = first
        var attempt = 1
        var refreshedToken = false
        while true {
            let response: HTTPResponse
            do {
                response = try await current.transfer.response()
            } catch {
                if error.kind == .cancelled { throw CancellationError() }
                if error.isRetryable, attempt < policy.attempts {
                    let delay = policy.delay(after: attempt)
                    context.logger.warning("\(node.method) \(masked(request.url)): \(context.masker.mask(error.description)); retrying in \(DurationParser.format(delay)) (attempt \(attempt + 1) of \(policy.attempts))")
                    stats.withLock { $0.retries += 1 }
                    try await Task.sleep(for: delay)
                    attempt += 1
                    current = try await start(request)
                    continue
                }
                throw WebAPIFailure("\(node.method) request failed\(attempt > 1 ? " after \(attempt) attempts" : ""): \(error)",
                                    hint: hint(for: error))
            }
            stats.withLock { $0.bytes += response.body.count }
            if response.status == 401, let token = current.token, let tokens, !refreshedToken {
                // The cached token was revoked or expired early: fetch a new one, once.
                await tokens.invalidate(token)
                refreshedToken = true
                current = try await start(request)
                continue
            }
            if node.accept.accepts(response.status) { return response }
            if Self.isRetryable(response.status), attempt < policy.attempts {
                var delay = policy.delay(after: attempt)
                if let after = response.retryAfter { delay = min(after, .seconds(300)) }
                context.logger.warning("\(node.method) \(masked(request.url)) answered \(response.status); retrying in \(DurationParser.format(delay)) (attempt \(attempt + 1) of \(policy.attempts))")
                stats.withLock { $0.retries += 1 }
                try await Task.sleep(for: delay)
                attempt += 1
                current = try await start(request)
                continue
            }
            let snippet = String(decoding: response.body.prefix(300), as: UTF8.self)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            let tries = attempt > 1 ? " after \(attempt) attempts" : ""
            throw WebAPIFailure(
                "\(node.method) \(masked(request.url)) answered \(response.status)\(tries)\(snippet.isEmpty ? "" : ": \(snippet)")",
                hint: Self.isRetryable(response.status)
                    ? "the server kept failing; raise `retry.attempts` (now \(policy.attempts)) if it needs more time"
                    : "add \(response.status) to `accept_status` to emit such responses instead of failing")
        }
    }

    static func isRetryable(_ status: Int) -> Bool {
        status == 408 || status == 425 || status == 429 || ((500...599).contains(status) && status != 501 && status != 505)
    }

    func hint(for error: HTTPClientError) -> String? {
        switch error.kind {
        case .timedOut: return "`request_timeout` is \(DurationParser.format(node.requestTimeout)), `connect_timeout` \(DurationParser.format(node.connectTimeout))"
        case .tooLarge: return "raise `max_response_bytes` (now \(node.maxResponseBytes)) if such responses are expected"
        case .tlsFailed: return "check the server's certificate; `insecure: true` skips verification (test servers only)"
        case .connectFailed: return "is the server running, and is the host name right?"
        default: return nil
        }
    }

    // MARK: Reading a page

    /// Reads a page: its body as a document, and what the same-page check compares.
    func read(_ response: inout HTTPResponse) throws -> (PageBody, PageText) {
        let around = asDocuments ? PageText.whitespace(around: response.body) : ([], [])
        let document = try self.document(&response)
        if response.body.isEmpty, let documents = document.documents {
            return (document, PageText(adopted: documents, around: around))
        }
        return (document, PageText(response.body))
    }

    /// The body as a JSON document, or as text when it is not JSON. With `asDocument`, a JSON body
    /// is validated and kept as bytes (`JSONDocuments`) instead of parsed; a compact body is kept
    /// as it is, taken out of `response` (which must hold the only reference to it, or trimming
    /// its trailing newline copies it).
    func document(_ response: inout HTTPResponse) throws -> PageBody {
        if response.body.isEmpty { return PageBody(.null) }
        let isJSON: Bool
        switch node.readFormat {
        case .json: isJSON = true
        case .text: isJSON = false
        case .auto:
            if let type = response.headers["Content-Type"]?.lowercased() {
                isJSON = type.contains("json")
            } else {
                let first = response.body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
                isJSON = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
            }
        }
        guard isJSON else { return PageBody(.string(String(decoding: response.body, as: UTF8.self))) }
        do throws(JSONParseError) {
            if asDocuments { return PageBody(try JSONDocuments(adopting: &response.body)) }
            return PageBody(try JSONParser.parse(bytes: response.body))
        } catch {
            throw WebAPIFailure(
                "malformed JSON from \(masked(response.effectiveURL)) at byte \(error.offset) (line \(error.line), column \(error.column)): \(error.message)",
                hint: node.readFormat == .json ? "`format: text` emits the body as text" : "`format: text` emits the body as text instead of parsing it")
        }
    }

    /// Bodies stay bytes when every consumer reads documents and the record is the body itself.
    var asDocuments: Bool { context.output.prefersDocuments && !node.emitResponse }

    /// The record for one page.
    func record(_ body: PageBody, response: HTTPResponse, page: Int, input: JSON?) throws -> PageBody {
        guard node.emitResponse else { return body }
        let document = try body.value()
        var headers = JSONObject()
        for (name, value) in response.headers {
            let key = name.lowercased()
            if let existing = headers[key]?.stringValue {
                headers[key] = .string(existing + ", " + value)
            } else {
                headers[key] = .string(value)
            }
        }
        var out: JSONObject = ["status": .int(response.status), "headers": .object(headers),
                               "url": .string(masked(response.effectiveURL)), "page": .int(page), "body": document]
        if let input { out["record"] = input }
        return PageBody(.object(out))
    }

    // MARK: Pagination

    /// Fetches every page for one request and hands each page's record to `emit`, in order.
    func fetchPages(_ base: PreparedRequest, record input: JSON?, parallel: Int,
                    emit: (PageBody) async throws -> Void) async throws {
        let first = initialURL(base.url)
        var request = base
        request.url = first
        var firstResponse = try await send(request)
        let (firstDocument, firstText) = try read(&firstResponse)
        stats.withLock { $0.pages += 1 }
        try await emit(try record(firstDocument, response: firstResponse, page: 1, input: input))
        guard let pagination = node.pagination, (200..<300).contains(firstResponse.status) else { return }

        let isFile = WebURL.scheme(base.url) == "file"
        if isFile, !(pagination.styleFollowsLinks) {
            // A file has no pages: query parameters cannot reach it.
            return
        }
        if pagination.knowsAllPages {
            // Only what is needed of page 1 goes on: the positions of the other pages and the text
            // that page 2 must not repeat, so page 1 itself is not held for the whole run.
            guard let positions = try knownPositions(pagination, first: firstDocument) else { return }
            try await fetchKnownPages(base, pagination: pagination, positions: positions, previous: firstText, input: input,
                                      parallel: parallel, emit: emit)
            return
        }

        var page = 1
        var document = firstDocument
        var response = firstResponse
        var previous = firstText
        var seen: Set<String> = [first]
        var offsetOrPage = Self.startPosition(pagination.style)
        while true {
            if page >= pagination.maxPages {
                if try nextURL(pagination, base: base, document: document, response: response, position: &offsetOrPage, seen: &seen, page: page) != nil {
                    context.logger.warning("stopped after `max_pages` (\(pagination.maxPages)) pages; more were available")
                }
                return
            }
            guard let next = try nextURL(pagination, base: base, document: document, response: response,
                                         position: &offsetOrPage, seen: &seen, page: page)
            else { return }
            request.url = next
            response = try await send(request)
            page += 1
            // A repeated page reads as the page before it did, so it is read before the check.
            let text: PageText
            (document, text) = try read(&response)
            if case .offset = pagination.style, text == previous, !text.isEmpty {
                throw samePage(page, param: pagination.positionParam)
            }
            if case .pageNumber = pagination.style, text == previous, !text.isEmpty {
                throw samePage(page, param: pagination.positionParam)
            }
            stats.withLock { $0.pages += 1 }
            try await emit(try record(document, response: response, page: page, input: input))
            guard (200..<300).contains(response.status) else { return }
            previous = text
        }
    }

    func samePage(_ page: Int, param: String) -> WebAPIFailure {
        WebAPIFailure("page \(page) is identical to page \(page - 1): the server seems to ignore `\(param)`; stopping instead of looping",
                      hint: "check the `paginate` parameter names against the API's documentation")
    }

    /// The first page's URL: the base URL plus the style's parameters for the first page.
    func initialURL(_ url: String) -> String {
        guard let pagination = node.pagination, WebURL.scheme(url) != "file" else { return url }
        return Self.url(url, pagination.style, position: Self.startPosition(pagination.style))
    }

    static func startPosition(_ style: Pagination.Style) -> Int {
        switch style {
        case .offset(_, _, _, let start, _): return start
        case .pageNumber(_, let start, _, _, _, _): return start
        default: return 0
        }
    }

    /// The URL for offset or page `position`.
    static func url(_ base: String, _ style: Pagination.Style, position: Int) -> String {
        switch style {
        case .offset(let limit, let limitParam, let offsetParam, _, _):
            return WebURL.appending([(limitParam, String(limit)), (offsetParam, String(position))], to: base,
                                    replacing: [limitParam, offsetParam])
        case .pageNumber(let param, _, let limit, let limitParam, _, _):
            var items = [(param, String(position))]
            if let limit { items.append((limitParam, String(limit))) }
            return WebURL.appending(items, to: base, replacing: Set(items.map(\.0)))
        default:
            return base
        }
    }

    /// The next page's URL, or nil when the pagination is complete. Throws on a loop.
    func nextURL(_ pagination: Pagination, base: PreparedRequest, document: PageBody, response: HTTPResponse,
                 position: inout Int, seen: inout Set<String>, page: Int) throws -> String? {
        switch pagination.style {
        case .jsonLink(let next):
            guard let link = try Pagination.token(next, in: document) else { return nil }
            return try checkedLink(WebURL.resolve(link, against: response.effectiveURL), seen: &seen, page: page, what: "next link")
        case .headerLink:
            guard let link = WebURL.nextLink(in: response.headers.values(for: "Link")) else { return nil }
            return try checkedLink(WebURL.resolve(link, against: response.effectiveURL), seen: &seen, page: page, what: "`Link: rel=\"next\"`")
        case .cursor(let cursorPath, let param):
            guard let cursor = try Pagination.token(cursorPath, in: document) else { return nil }
            if seen.contains("cursor:" + cursor) {
                throw WebAPIFailure("pagination loop: page \(page) returned the cursor `\(context.masker.mask(cursor))` again; stopping instead of fetching the same pages forever",
                                    hint: "check `paginate.cursor` (`\(cursorPath.text)`) points at the next page's cursor")
            }
            seen.insert("cursor:" + cursor)
            return WebURL.appending([(param, cursor)], to: base.url, replacing: [param])
        case .offset(let limit, _, _, _, let totalPath):
            let count = try pagination.itemCount(document)
            if count == 0 { return nil }
            if let totalPath {
                guard let total = try Pagination.number(totalPath, in: document) else {
                    throw WebAPIFailure("page \(page) has no number at `paginate.total` (`\(totalPath.text)`)",
                                        hint: "check the JSONPath against a response, e.g. with `flow jsonpath`")
                }
                if position + limit >= total { return nil }
            } else {
                guard let count else { throw uncountable(page) }
                if count < limit { return nil }
            }
            position += limit
            return Self.url(base.url, pagination.style, position: position)
        case .pageNumber(_, let start, let limit, _, let totalPagesPath, let totalPath):
            let count = try pagination.itemCount(document)
            if count == 0 { return nil }
            if let pages = try lastPage(pagination, document: document, page: page, totalPages: totalPagesPath, total: totalPath, limit: limit) {
                if position - start + 1 >= pages { return nil }
            } else {
                guard let count else { throw uncountable(page) }
                if let limit, count < limit { return nil }
            }
            position += 1
            return Self.url(base.url, pagination.style, position: position)
        }
    }

    /// The number of pages, from `total_pages` or from `total` and `limit`; nil when neither is configured.
    func lastPage(_ pagination: Pagination, document: PageBody, page: Int, totalPages: JSONPathQuery?, total: JSONPathQuery?, limit: Int?) throws -> Int? {
        if let totalPages {
            guard let n = try Pagination.number(totalPages, in: document) else {
                throw WebAPIFailure("page \(page) has no number at `paginate.total_pages` (`\(totalPages.text)`)")
            }
            return n
        }
        if let total, let limit {
            guard let n = try Pagination.number(total, in: document) else {
                throw WebAPIFailure("page \(page) has no number at `paginate.total` (`\(total.text)`)")
            }
            return (n + limit - 1) / limit
        }
        return nil
    }

    func uncountable(_ page: Int) -> WebAPIFailure {
        WebAPIFailure("cannot tell whether page \(page) is the last: the body is not an array and `paginate` has no `items` or `total`",
                      hint: "add `items: $.data[*]` (where the page's items are) or `total: $.total`")
    }

    func checkedLink(_ link: String, seen: inout Set<String>, page: Int, what: String) throws -> String {
        if seen.contains(link) {
            throw WebAPIFailure("pagination loop: the \(what) of page \(page) is \(masked(link)), which was already fetched; stopping instead of fetching the same pages forever",
                                hint: "the server keeps returning the same next page")
        }
        if let problem = WebURL.problem(link) {
            throw WebAPIFailure("the \(what) of page \(page) is not a usable URL: \(context.masker.mask(problem))")
        }
        seen.insert(link)
        return link
    }

    /// For `offset`/`page_number` pagination whose total is known from page 1: the positions
    /// (offsets or page numbers) of pages 2...; nil when page 1 is empty.
    func knownPositions(_ pagination: Pagination, first: PageBody) throws -> [Int]? {
        var positions: [Int] = []
        switch pagination.style {
        case .offset(let limit, _, _, let start, let totalPath?):
            guard let total = try Pagination.number(totalPath, in: first) else {
                throw WebAPIFailure("page 1 has no number at `paginate.total` (`\(totalPath.text)`)")
            }
            if try pagination.itemCount(first) == 0 { return nil }
            var offset = start + limit
            // One more than allowed, to tell whether `max_pages` cut the pagination short.
            while offset < total, positions.count < pagination.maxPages {
                positions.append(offset)
                offset += limit
            }
        case .pageNumber(_, let start, let limit, _, let totalPages, let total):
            if try pagination.itemCount(first) == 0 { return nil }
            let pages = try lastPage(pagination, document: first, page: 1, totalPages: totalPages, total: total, limit: limit) ?? 1
            let count = min(pages, pagination.maxPages + 1)
            if count > 1 { positions = Array((start + 1)...(start + count - 1)) }
        default:
            return nil
        }
        if positions.count + 1 > pagination.maxPages {
            positions = Array(positions.prefix(pagination.maxPages - 1))
            context.logger.warning("stopped after `max_pages` (\(pagination.maxPages)) pages; more were available")
        }
        return positions
    }

    /// Pages at `positions` (from `knownPositions`), `parallel` at a time, in order. `previous` is
    /// page 1's text, for the same-page check, which is made once a page is read (a repeated page
    /// reads as the page before it did).
    ///
    /// The requests are started ahead (`start`) and their responses taken in page order (`finish`),
    /// with no task per request: `parallel` run, and one more follows the oldest, so the HTTP
    /// client's thread sends it the moment the oldest got its response, on the connection it used (it
    /// waits instead if the oldest failed or must be retried). When the oldest page is taken, the
    /// next one is set to follow the new oldest, then the page is validated and emitted while the
    /// others transfer; a response that arrived meanwhile is taken without a thread hand-off. So at
    /// most `parallel` requests run. With `parallel: 1` one page at a time is validated, on the
    /// node's task (2 pages held); with more, up to `parallel` pages are validated on child tasks and
    /// emitted in order (at most `2 * parallel + 1` pages held).
    func fetchKnownPages(_ base: PreparedRequest, pagination: Pagination, positions: [Int], previous: PageText, input: JSON?,
                         parallel: Int, emit: (PageBody) async throws -> Void) async throws {
        var remaining = positions[...]
        var page = 1
        var started: [Attempt] = []
        started.reserveCapacity(parallel + 1)
        func startMore() async throws {
            // `started` holds the running requests and, last, the one that follows the oldest.
            while started.count <= parallel, let position = remaining.popFirst() {
                var request = base
                request.url = Self.url(base.url, pagination.style, position: position)
                started.append(try await start(request, after: started.count == parallel ? started.first : nil))
            }
        }
        var previous = previous
        /// The oldest page's response, in page order.
        func next() async throws -> HTTPResponse? {
            guard !started.isEmpty else { return nil }
            let response = try await finish(started.removeFirst())
            try await startMore()
            page += 1
            return response
        }
        /// Throws when page `number` is the page before it again.
        func check(_ text: PageText, page number: Int) throws {
            if text == previous, !text.isEmpty { throw samePage(number, param: pagination.positionParam) }
            previous = text
        }
        try await startMore()
        guard parallel > 1 else {
            while var response = try await next() {
                let (document, text) = try self.read(&response)
                try check(text, page: page)
                stats.withLock { $0.pages += 1 }
                try await emit(try record(document, response: response, page: page, input: input))
            }
            return
        }
        // In parallel, pages are validated on child tasks (on as many cores as there are), at most
        // `parallel` at a time, and emitted in page order.
        try await withThrowingTaskGroup(of: (Int, PageBody, PageText, HTTPResponse).self) { group in
            var validating = 0
            var ready: [Int: (PageBody, PageText, HTTPResponse)] = [:]
            var nextToEmit = page + 1
            func collect() async throws {
                guard let (number, document, text, response) = try await group.next() else { return }
                validating -= 1
                ready[number] = (document, text, response)
                while let (document, text, response) = ready.removeValue(forKey: nextToEmit) {
                    try check(text, page: nextToEmit)
                    stats.withLock { $0.pages += 1 }
                    try await emit(try record(document, response: response, page: nextToEmit, input: input))
                    nextToEmit += 1
                }
            }
            while let response = try await next() {
                let number = page
                group.addTask { [self] in
                    var response = response
                    let (document, text) = try self.read(&response)
                    // The validated copy (or the adopted body, in `text`) is all that is needed
                    // from here on.
                    if document.documents != nil, !node.emitResponse { response.body = [] }
                    return (number, document, text, response)
                }
                validating += 1
                while validating + ready.count >= parallel { try await collect() }
            }
            while validating > 0 { try await collect() }
        }
    }
}

extension Pagination {
    /// Link styles can follow links between files; parameter styles cannot reach a file.
    var styleFollowsLinks: Bool {
        if case .jsonLink = style { return true }
        return false
    }

    /// The parameter that moves through the pages, for messages.
    var positionParam: String {
        switch style {
        case .offset(_, _, let offsetParam, _, _): return offsetParam
        case .pageNumber(let param, _, _, _, _, _): return param
        case .cursor(_, let param): return param
        default: return "next"
        }
    }
}
