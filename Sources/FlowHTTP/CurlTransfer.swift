import CCurl
import CCurlShim

/// What a transfer does; decides how the easy handle is configured and what the result holds.
enum TransferKind: Sendable {
    case http(HTTPRequest)
    case mail(SMTPMessage)

    var url: String {
        switch self {
        case .http(let request): request.url
        case .mail(let message): message.url
        }
    }
}

/// A transfer waiting for or running on the worker: what to do, and whom to tell.
struct TransferJob: Sendable {
    let kind: TransferKind
    let completion: TransferCompletion

    func fail(_ error: HTTPClientError) {
        completion.complete(.failure(error))
    }
}

/// The state of one running transfer, confined to the worker thread.
///
/// libcurl calls the write/header/read callbacks on the worker thread, from inside `curl_multi_perform`,
/// with an unretained pointer to this object as their context; the worker's table of active transfers
/// keeps it alive until the easy handle has been removed from the multi handle and reset. The header and
/// recipient lists and the error buffer are owned here and freed by ``releaseResources()``, which must
/// only run after `curl_easy_reset` (until then curl may still read them).
final class CurlTransfer {
    let id: UInt64
    let job: TransferJob
    let easy: UnsafeMutableRawPointer

    private(set) var body: [UInt8] = []
    private(set) var headers = HTTPHeaders()
    private var limit: Int?
    /// Set by the write callback when it refused data because of `limit`.
    private(set) var exceededLimit = false
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var recipientList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(id: UInt64, job: TransferJob, easy: UnsafeMutableRawPointer) {
        self.id = id
        self.job = job
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        releaseResources()
        errorBuffer.deallocate()
    }

    /// Frees the curl lists. Only after `curl_easy_reset`/`curl_easy_cleanup` of ``easy``.
    func releaseResources() {
        curl_slist_free_all(headerList)
        headerList = nil
        curl_slist_free_all(recipientList)
        recipientList = nil
    }

    var errorMessage: String {
        String(cString: errorBuffer).trimmingSpaces
    }

    // MARK: Configuration

    /// Sets every option of the transfer on the (freshly reset) easy handle.
    /// Returns an error when the request cannot be expressed; the handle is then not added to the multi.
    func configure(userAgent: String) -> HTTPClientError? {
        let context = Unmanaged.passUnretained(self).toOpaque()
        setLong(CURLOPT_NOSIGNAL, 1)  // no SIGALRM in a multithreaded process
        _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer)
        switch job.kind {
        case .http(let request):
            return configureHTTP(request, userAgent: userAgent, context: context)
        case .mail(let message):
            return configureMail(message, context: context)
        }
    }

    private func configureHTTP(
        _ request: HTTPRequest, userAgent: String, context: UnsafeMutableRawPointer
    ) -> HTTPClientError? {
        let scheme = request.url.prefix { $0 != ":" }.lowercased()
        guard ["http", "https", "file"].contains(scheme) else {
            return .invalidRequest("only http, https and file URLs are supported", url: request.url)
        }
        setString(CURLOPT_URL, request.url)
        setString(CURLOPT_PROTOCOLS_STR, "http,https,file")
        setString(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        if request.followRedirects {
            setLong(CURLOPT_FOLLOWLOCATION, 1)
            setLong(CURLOPT_MAXREDIRS, 10)
        }
        setLong(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        // Receive in 100 KB reads instead of curl's default 16 KB: API pages are often hundreds of
        // KB, and each read is a system call and a body callback. Not more: libcurl (7.88) allocates
        // this buffer for every transfer, and above glibc's 128 KB mmap threshold the freed buffers
        // are trimmed from the heap and faulted in again (256 KB: 10,000 page faults and ~10% more
        // CPU for 1000 pages fetched four at a time).
        setLong(CURLOPT_BUFFERSIZE, 100 << 10)
        setTimeouts(total: request.timeout, connect: request.connectTimeout)
        setInsecure(request.insecure)
        if !request.headers.contains(name: "Accept-Encoding") {
            // "" = every encoding this libcurl can decode; the body is delivered decoded.
            setString(CURLOPT_ACCEPT_ENCODING, "")
        }
        if !request.headers.contains(name: "User-Agent") {
            setString(CURLOPT_USERAGENT, userAgent)
        }

        var lines: [String] = []
        for (name, value) in request.headers {
            if name.isEmpty || !Self.isFieldName(name) || value.containsLineBreak
            {
                return .invalidRequest("invalid header field \(name.debugDescription)", url: request.url)
            }
            // "Name;" is curl's syntax for a header sent with an empty value ("Name:" would remove it).
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if request.body != nil && !request.headers.contains(name: "Expect") {
            lines.append("Expect:")  // no 100-continue round trip for large bodies
        }
        for line in lines { headerList = curl_slist_append(headerList, line) }
        if headerList != nil {
            _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_HTTPHEADER, headerList)
        }

        let method = request.method.uppercased()
        if let body = request.body {
            setOffT(CURLOPT_POSTFIELDSIZE_LARGE, body.count)
            // COPYPOSTFIELDS: curl keeps its own copy, so the Swift array need not outlive this call.
            body.withUnsafeBufferPointer { buffer in
                if let base = buffer.baseAddress, !buffer.isEmpty {
                    _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                } else {
                    setString(CURLOPT_COPYPOSTFIELDS, "")
                }
            }
            if method != "POST" { setString(CURLOPT_CUSTOMREQUEST, request.method) }
        } else if method == "HEAD" {
            setLong(CURLOPT_NOBODY, 1)
        } else if method == "GET" {
            setLong(CURLOPT_HTTPGET, 1)
        } else {
            setString(CURLOPT_CUSTOMREQUEST, request.method)
        }

        if let limit = request.maxResponseBytes {
            self.limit = limit
            // Fails before the body when Content-Length already announces more.
            setOffT(CURLOPT_MAXFILESIZE_LARGE, limit)
        }
        _ = flow_curl_easy_setopt_write_callback(easy, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveBody(data, size * count)
        }
        _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context)
        _ = flow_curl_easy_setopt_write_callback(easy, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().receiveHeader(data, size * count)
        }
        _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context)
        return nil
    }

    /// No colon and no white space (Unicode's White_Space: in ASCII, tab to CR and space; the
    /// property lookup only for other scalars).
    private static func isFieldName(_ name: String) -> Bool {
        name.unicodeScalars.allSatisfy { scalar in
            if scalar.isASCII {
                return scalar != ":" && scalar != " " && !(0x09...0x0D).contains(scalar.value)
            }
            return !scalar.properties.isWhitespace
        }
    }

    private func configureMail(_ message: SMTPMessage, context: UnsafeMutableRawPointer) -> HTTPClientError? {
        for address in [message.from] + message.recipients
        where address.containsLineBreak || address.contains("<") || address.contains(">") {
            return .invalidRequest("invalid mail address \(address.debugDescription)", url: message.url)
        }
        if message.recipients.isEmpty {
            return .invalidRequest("no recipients", url: message.url)
        }
        let scheme = message.url.prefix { $0 != ":" }.lowercased()
        guard scheme == "smtp" || scheme == "smtps" else {
            return .invalidRequest("only smtp and smtps URLs are supported", url: message.url)
        }
        setString(CURLOPT_URL, message.url)
        setString(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        // smtp:// upgrades with STARTTLS when the server offers it (or insists, with requireTLS);
        // smtps:// is TLS from the first byte either way.
        setLong(CURLOPT_USE_SSL, Int(message.requireTLS ? CURLUSESSL_ALL.rawValue : CURLUSESSL_TRY.rawValue))
        setTimeouts(total: message.timeout, connect: message.connectTimeout)
        setInsecure(message.insecure)
        if let username = message.username { setString(CURLOPT_USERNAME, username) }
        if let password = message.password { setString(CURLOPT_PASSWORD, password) }
        setString(CURLOPT_MAIL_FROM, "<\(message.from)>")
        for recipient in message.recipients {
            recipientList = curl_slist_append(recipientList, "<\(recipient)>")
        }
        _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_MAIL_RCPT, recipientList)
        upload = message.data
        setLong(CURLOPT_UPLOAD, 1)
        setOffT(CURLOPT_INFILESIZE_LARGE, upload.count)
        _ = flow_curl_easy_setopt_read_callback(easy, CURLOPT_READFUNCTION) { buffer, size, count, context in
            Unmanaged<CurlTransfer>.fromOpaque(context!).takeUnretainedValue().sendUpload(buffer, size * count)
        }
        _ = flow_curl_easy_setopt_pointer(easy, CURLOPT_READDATA, context)
        return nil
    }

    private func setTimeouts(total: Duration?, connect: Duration) {
        setLong(CURLOPT_TIMEOUT_MS, total.map(Self.milliseconds) ?? 0)
        setLong(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connect))
    }

    private func setInsecure(_ insecure: Bool) {
        setLong(CURLOPT_SSL_VERIFYPEER, insecure ? 0 : 1)
        setLong(CURLOPT_SSL_VERIFYHOST, insecure ? 0 : 2)
    }

    /// Zero or less gives 0, curl's "no limit" (its default for connecting: 300 s); a positive duration
    /// is at least 1 ms, so that a sub-millisecond timeout does not turn into no timeout.
    private static func milliseconds(_ duration: Duration) -> Int {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }

    private func setLong(_ option: CURLoption, _ value: Int) {
        _ = flow_curl_easy_setopt_long(easy, option, value)
    }

    private func setString(_ option: CURLoption, _ value: String) {
        _ = flow_curl_easy_setopt_string(easy, option, value)  // curl copies strings (since 7.17)
    }

    private func setOffT(_ option: CURLoption, _ value: Int) {
        _ = flow_curl_easy_setopt_off_t(easy, option, curl_off_t(value))
    }

    // MARK: Callbacks (worker thread, inside curl_multi_perform)

    private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return 0 }
        if let limit, body.count + count > limit {
            exceededLimit = true
            return 0  // anything but `count` makes curl abort with CURLE_WRITE_ERROR
        }
        if body.isEmpty {
            // Room for the announced length at once, instead of growing by doubling (a copy
            // each time); capped, since the header is the server's word.
            var announced: curl_off_t = -1
            _ = flow_curl_easy_getinfo_off_t(easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced)
            if announced > 0 {
                // Rounded up to 256 KB: bodies of about the same size (an API's pages) then take
                // blocks of the same size, which the allocator reuses one for another instead of
                // leaving holes a slightly larger page does not fit (the heap grew by a page now
                // and then over a run).
                let size = min(Int(announced), limit ?? Int.max, 64 << 20)
                body.reserveCapacity(size > 256 << 10 ? (size + (256 << 10) - 1) & ~((256 << 10) - 1) : size)
            }
        }
        body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return count
    }

    private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ count: Int) -> Int {
        guard count > 0, let data else { return count }
        let line = UnsafeRawBufferPointer(start: data, count: count)
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        /// The bytes in `range` without leading and trailing spaces, tabs, CR and LF, as text.
        func trimmed(_ range: Range<Int>) -> String {
            var lower = range.lowerBound
            var upper = range.upperBound
            while lower < upper, isSpace(line[lower]) { lower += 1 }
            while upper > lower, isSpace(line[upper - 1]) { upper -= 1 }
            return String(decoding: UnsafeRawBufferPointer(rebasing: line[lower..<upper]), as: UTF8.self)
        }
        if count >= 5, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"),
            line[3] == UInt8(ascii: "P"), line[4] == UInt8(ascii: "/")
        {
            headers = HTTPHeaders()  // a new response (redirect, 100 Continue): keep only the last one
        } else if line[0] == 0x20 || line[0] == 0x09 {
            // obsolete line folding: continues the previous field
            headers.appendToLastValue(" " + trimmed(0..<count))
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[..<colon]), as: UTF8.self)
            headers.add(name: name, value: trimmed((colon + 1)..<count))
        }
        return count
    }

    private func sendUpload(_ buffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int {
        guard let buffer else { return 0 }
        let count = min(capacity, upload.count - uploadOffset)
        guard count > 0 else { return 0 }  // 0 = end of data
        upload.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + uploadOffset, byteCount: count)
        }
        uploadOffset += count
        return count
    }

    // MARK: Result

    /// Builds the outcome once curl reported the transfer done with `result`.
    func outcome(_ result: CURLcode) -> Result<HTTPResponse, HTTPClientError> {
        var responseCode = 0
        _ = flow_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        guard result == CURLE_OK else {
            if exceededLimit || result == CURLE_FILESIZE_EXCEEDED, let limit {
                return .failure(.tooLarge(limit: limit, url: job.kind.url))
            }
            let mailCode = if case .mail = job.kind { responseCode } else { 0 }
            let message = errorMessage.isEmpty ? String(cString: curl_easy_strerror(result)) : errorMessage
            return .failure(.curl(code: Int(result.rawValue), message: message, url: job.kind.url, responseCode: mailCode))
        }
        var effectiveURL: UnsafePointer<CChar>?
        _ = flow_curl_easy_getinfo_string(easy, CURLINFO_EFFECTIVE_URL, &effectiveURL)
        var version = 0
        _ = flow_curl_easy_getinfo_long(easy, CURLINFO_HTTP_VERSION, &version)
        let url = effectiveURL.map { String(cString: $0) } ?? job.kind.url
        let httpVersion: HTTPVersion =
            switch version {
            case Int(CURL_HTTP_VERSION_1_0): .http1_0
            case Int(CURL_HTTP_VERSION_1_1): .http1_1
            case Int(CURL_HTTP_VERSION_2_0): .http2
            case Int(CURL_HTTP_VERSION_3): .http3
            default: .unknown
            }
        if responseCode == 0 && url.lowercased().hasPrefix("file:") {
            responseCode = 200
        }
        return .success(
            HTTPResponse(status: responseCode, headers: headers, body: body, effectiveURL: url, httpVersion: httpVersion)
        )
    }
}
