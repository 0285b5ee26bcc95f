import FlowCore
import FlowHTTP
import FlowJSON
import JSONPath

/// HTTP(S) requests on libcurl: auth, explicit pagination, retries, rate limits; one record per
/// response page. With an `input`, one request (chain) per upstream record, results in input order.
/// See docs/webapi.md.
struct WebAPINode: Node {
    static let spec = NodeSpec(
        type: "webapi",
        summary: "Call an HTTP API (or read a `file:` URL): auth, pagination, retries, rate limit; one record per response page.",
        inputs: .optional,
        fields: [
            FieldSpec("url", .string, required: true, perRecord: true,
                      "`http://`, `https://` or `file:` URL (`file:` paths are relative to the workflow file). With an `input`, `${record.x}` is evaluated per record."),
            FieldSpec("method", .choice(methods), default: "GET", "The HTTP method."),
            FieldSpec("headers", .map(.string), secret: true, perRecord: true,
                      "Request headers, name -> value (`${record.x}` allowed). Printed as `***` in plans."),
            FieldSpec("query", .map(.any), perRecord: true,
                      "Query parameters, name -> value (percent-encoded for you; null values are left out)."),
            FieldSpec("body", .any, perRecord: true,
                      "Request body: a mapping or list is sent as JSON; a string as is (see `body_format`, `content_type`)."),
            FieldSpec("body_format", .choice(["json", "form", "raw"]),
                      "`json` (default for mappings and lists), `form` (a mapping sent as application/x-www-form-urlencoded) or `raw` (default for strings)."),
            FieldSpec("content_type", .string,
                      "Content-Type of the body; default `application/json`, `application/x-www-form-urlencoded` or `text/plain` after `body_format`."),
            FieldSpec("auth", .object(WebAPIAuth.fieldSpecs), secret: true,
                      "Authentication: `{type: bearer, token}`, `{type: basic, username, password}`, `{type: api_key, value, name, in: header|query}` or `{type: oauth2_client_credentials, token_url, client_id, client_secret, scope}`."),
            FieldSpec("paginate", .object(Pagination.fieldSpecs),
                      "Pagination: `style` is `json_link`, `header_link`, `offset`, `page_number` or `cursor` (see docs/webapi.md)."),
            FieldSpec("parallel", .integer, default: 1,
                      "Requests in flight: across input records, or across pages for `offset`/`page_number` pagination with a known total. Output keeps the order."),
            FieldSpec("request_timeout", .duration, default: "60s",
                      "Longest one request may take, connecting included (the node's `timeout` bounds the whole node)."),
            FieldSpec("connect_timeout", .duration, default: "10s", "Longest connecting (TCP and TLS) may take."),
            FieldSpec("rate_limit", .number, "Most requests per second, shared by all requests of the node."),
            FieldSpec("accept_status", .list(.oneOf([.integer, .string])),
                      "Statuses that are not errors besides 2xx: codes (`404`), classes (`4xx`) or ranges (`400-404`). Accepted responses are emitted; a non-2xx one ends the pagination."),
            FieldSpec("max_response_bytes", .integer, default: .int(defaultMaxResponseBytes),
                      "Fail (without retrying) when a response body is larger than this."),
            FieldSpec("format", .choice(["auto", "json", "text"]), default: "auto",
                      "How bodies are read: `auto` parses JSON when the Content-Type says so (or, without one, when the body starts with `{` or `[`), `json` always, `text` never."),
            FieldSpec("emit", .choice(["body", "response"]), default: "body",
                      "`body`: each record is the parsed body (text when not JSON). `response`: `{status, headers, url, page, body}` (plus `record`, the input record, with an `input`)."),
            FieldSpec("insecure", .boolean, default: false,
                      "Skip TLS certificate verification (self-signed test servers only); a warning is logged."),
        ],
        example: """
            fetch:
              type: webapi
              url: https://dummyjson.com/products
              query: { select: "title,price" }
              auth: { type: bearer, token: "${secrets.API_TOKEN}" }
              paginate: { style: offset, limit: 100, offset_param: skip, total: $.total }
              rate_limit: 5
            """,
        operationRetry: RetryPolicy(attempts: 3, backoff: .exponential, initial: .seconds(1), max: .seconds(30), jitter: true),
        // One page per batch (PageOutput) and two batches per edge: pages can be megabytes each.
        outputBuffer: 2)

    static let methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
    static let defaultMaxResponseBytes = 100_000_000

    enum BodyFormat: String, Sendable { case json, form, raw }
    enum ReadFormat: String, Sendable { case auto, json, text }

    let url: TemplateValue
    let headers: TemplateValue?
    let query: TemplateValue?
    let body: TemplateValue?
    let bodyFormat: BodyFormat?
    let contentType: String?
    let method: String
    let auth: WebAPIAuth?
    let pagination: Pagination?
    let parallel: Int
    let requestTimeout: Duration
    let connectTimeout: Duration
    let rateLimit: Double?
    let accept: StatusSet
    let maxResponseBytes: Int
    let readFormat: ReadFormat
    let emitResponse: Bool
    let insecure: Bool
    let retry: RetryPolicy
    let directory: String
    let hasInput: Bool
    /// True when a per-record field uses `record`.
    let usesRecord: Bool

    init(config: NodeConfig, context: NodeBuildContext) throws {
        var diagnostics = Diagnostics()
        url = config.templateValue("url") ?? .literal("")
        headers = config.templateValue("headers")
        query = config.templateValue("query")
        body = config.templateValue("body")
        method = config.string("method") ?? "GET"
        contentType = config.string("content_type")
        bodyFormat = config.string("body_format").flatMap(BodyFormat.init)
        directory = context.directory
        hasInput = context.hasInput
        retry = context.retry
        usesRecord = ["url", "headers", "query", "body"].contains { name in
            guard let t = config.templateValue(name) else { return false }
            return Self.templates(in: t).contains { template in
                template.expressionSources.contains { ExpressionReferences.find(in: $0).contains { $0.root == "record" } }
            }
        }

        // The URL's shape, unless `${...}` decides it (checked again when the run evaluates it).
        if case .literal(let value)? = config.templateValue("url"), let text = value.stringValue {
            if let problem = WebURL.problem(text) {
                diagnostics.append(config.error(problem, field: "url", hint: "e.g. `https://api.example.com/items` or `file:data/items.json`"))
            }
        }
        if bodyFormat == .form, case .literal(let value)? = body, value.objectValue == nil {
            diagnostics.append(config.error("`body_format: form` needs `body` to be a mapping", field: "body"))
        }
        if body != nil, method == "GET" || method == "HEAD" {
            diagnostics.append(config.error("a \(method) request sends no body", field: "body", hint: "use `method: POST` (or PUT, PATCH)"))
        }
        if usesRecord, !context.hasInput {
            diagnostics.append(config.error("`${record...}` needs an `input`: without one the node sends a single request",
                                            field: "url", hint: "add `input: <node>` whose records drive the requests"))
        }

        auth = WebAPIAuth.parse(config, into: &diagnostics)
        pagination = config.isSet("paginate") ? Pagination.parse(config, into: &diagnostics) : nil

        parallel = config.int("parallel") ?? 1
        if parallel < 1 || parallel > 256 {
            diagnostics.append(config.error("`parallel` must be between 1 and 256", field: "parallel"))
        } else if parallel > 1, !context.hasInput {
            if pagination == nil {
                diagnostics.append(config.error("`parallel` without an `input` needs pagination: a single request has nothing to run in parallel",
                                                field: "parallel", hint: "remove `parallel`, or add `input:` to send one request per record"))
            } else if let pagination, !pagination.knowsAllPages {
                diagnostics.append(config.error(
                    "`parallel` needs pages that are known in advance: `offset` with `total`, or `page_number` with `total_pages` (or `total` and `limit`)",
                    field: "parallel",
                    hint: "with link and cursor pagination each page names the next one, so pages are fetched one after another"))
            }
        }

        requestTimeout = config.duration("request_timeout") ?? .seconds(60)
        connectTimeout = config.duration("connect_timeout") ?? .seconds(10)
        if requestTimeout <= .zero { diagnostics.append(config.error("`request_timeout` must be positive", field: "request_timeout")) }
        rateLimit = config.double("rate_limit")
        if let rate = rateLimit, !(rate > 0) {
            diagnostics.append(config.error("`rate_limit` must be a positive number of requests per second", field: "rate_limit"))
        }
        var statuses = StatusSet()
        for (i, item) in (config.value("accept_status")?.arrayValue ?? []).enumerated() {
            if !statuses.add(item) {
                diagnostics.append(config.error("`\(item.interpolationText)` is not a status, class or range", field: "accept_status", String(i),
                                                hint: "write `404`, `4xx` or `400-404`"))
            }
        }
        accept = statuses
        maxResponseBytes = config.int("max_response_bytes") ?? Self.defaultMaxResponseBytes
        if maxResponseBytes < 1 { diagnostics.append(config.error("`max_response_bytes` must be positive", field: "max_response_bytes")) }
        readFormat = config.string("format").flatMap(ReadFormat.init) ?? .auto
        emitResponse = config.string("emit") == "response"
        insecure = config.bool("insecure") ?? false
        if diagnostics.hasErrors { throw diagnostics }
    }

    static func templates(in value: TemplateValue) -> [Template] {
        switch value {
        case .literal: return []
        case .template(let t): return [t]
        case .array(let items): return items.flatMap(templates)
        case .object(let pairs): return pairs.flatMap { templates(in: $0.1) }
        }
    }

    // MARK: Running

    func run(_ context: NodeContext) async throws {
        let session = WebAPISession(node: self, context: context)
        if insecure {
            context.logger.warning("TLS certificate verification is off for this node (`insecure: true`)")
        }
        do {
            if let input = context.input {
                try await runPerRecord(input, session: session)
            } else {
                let request = try prepare(scope: context.scope.object, context: context)
                context.logger.info("\(method) \(session.masked(request.url))")
                var output = PageOutput(context.output)
                try await session.fetchPages(request, record: nil, parallel: parallel) { try await output.emit($0) }
                try await output.flush()
            }
        } catch let failure as WebAPIFailure {
            session.publishMetrics()
            throw NodeError(nodeID: context.nodeID, message: context.masker.mask(failure.message),
                            hint: failure.hint.map(context.masker.mask))
        } catch {
            session.publishMetrics()
            throw error
        }
        session.publishMetrics()
        let stats = session.stats.withLock { $0 }
        context.logger.info("\(stats.pages) page\(stats.pages == 1 ? "" : "s") from \(stats.requests) request\(stats.requests == 1 ? "" : "s")\(stats.retries > 0 ? " (\(stats.retries) retried)" : ""), \(stats.bytes) bytes")
    }

    /// One request chain per input record, `parallel` at a time, emitted in input order.
    /// Per-record requests read the next input record before the pages of the previous one are
    /// emitted (`forEachOrdered`), so a checkpoint could pass records still in flight.
    var checkpointLimitation: String? {
        hasInput ? "with `input:` it reads ahead of the requests in flight, so a checkpoint could pass records not yet sent" : nil
    }

    func runPerRecord(_ input: RecordInput, session: WebAPISession) async throws {
        let context = session.context
        var iterator = input.makeAsyncIterator()
        var pending: [JSON] = []
        var position = 0
        var output = PageOutput(context.output)
        try await forEachOrdered(parallel: parallel, next: { () async throws -> (JSON, Int)? in
            while position >= pending.count {
                guard let batch = try await iterator.next() else { return nil }
                pending = batch
                position = 0
            }
            defer { position += 1 }
            return (pending[position], 0)
        }, work: { [self] item in
            let record = item.0
            let request = try prepare(scope: context.scope.with(record: record), context: context)
            var pages: [PageBody] = []
            try await session.fetchPages(request, record: record, parallel: 1) { pages.append($0) }
            return pages
        }, emit: { pages in
            for page in pages { try await output.emit(page) }
        })
        try await output.flush()
    }

    /// Evaluates url, query, headers and body for one request.
    func prepare(scope: JSON, context: NodeContext) throws -> PreparedRequest {
        let bindings = context.scope.bindings
        func evaluate(_ value: TemplateValue, _ field: String) throws -> JSON {
            do {
                return try value.evaluate(scope, bindings: bindings)
            } catch {
                throw WebAPIFailure("cannot evaluate `\(field)`: \(error.description)")
            }
        }
        var text = try evaluate(url, "url").interpolationText
        if let problem = WebURL.problem(text) {
            throw WebAPIFailure("`url` evaluated to an unusable URL: \(problem)")
        }
        text = WebURL.resolveFile(text, directory: directory)
        // Query parameters cannot reach a file: a `file:` URL is read as it is.
        if let query, WebURL.scheme(text) != "file" {
            var items: [(String, String)] = []
            for (name, value) in try evaluate(query, "query").objectValue ?? [:] {
                switch value {
                case .null: continue
                case .array(let values): items += values.filter { !$0.isNull }.map { (name, $0.interpolationText) }
                default: items.append((name, value.interpolationText))
                }
            }
            text = WebURL.appending(items, to: text)
        }
        var fields = HTTPHeaders()
        if let headers {
            for (name, value) in try evaluate(headers, "headers").objectValue ?? [:] {
                let v = value.interpolationText
                if WebAPISession.isSensitiveHeader(name) { context.masker.add(v) }
                fields.add(name: name, value: v)
            }
        }
        var bytes: [UInt8]?
        if let body {
            let value = try evaluate(body, "body")
            let format = bodyFormat ?? (value.stringValue != nil ? .raw : .json)
            let type: String
            switch format {
            case .json:
                bytes = Array(value.serialized().utf8)
                type = "application/json"
            case .form:
                guard let object = value.objectValue else { throw WebAPIFailure("`body_format: form` needs `body` to be a mapping, found \(value.typeName)") }
                bytes = Array(WebURL.formEncode(object.filter { !$0.value.isNull }.map { ($0.key, $0.value.interpolationText) }).utf8)
                type = "application/x-www-form-urlencoded"
            case .raw:
                bytes = Array(value.interpolationText.utf8)
                type = "text/plain; charset=utf-8"
            }
            if !fields.contains(name: "Content-Type") { fields.add(name: "Content-Type", value: contentType ?? type) }
        }
        if !fields.contains(name: "Accept"), readFormat != .text { fields.add(name: "Accept", value: "application/json, */*;q=0.5") }
        return PreparedRequest(url: text, headers: fields, body: bytes)
    }
}

/// One request as evaluated for a record (or for the run, without an input).
struct PreparedRequest: Sendable {
    var url: String
    var headers: HTTPHeaders
    var body: [UInt8]?
}
