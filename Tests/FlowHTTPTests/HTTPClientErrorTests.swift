import Testing

@testable import FlowHTTP

/// libcurl result codes map to the documented kinds and retry advice.
@Suite struct HTTPClientErrorTests {
    @Test(arguments: [
        (7, 0, HTTPClientError.Kind.connectFailed, true),
        (6, 0, .connectFailed, true),
        (28, 0, .timedOut, true),
        (56, 0, .connectionReset, true),
        (18, 0, .connectionReset, true),
        (52, 0, .connectionReset, true),
        (60, 0, .tlsFailed, false),
        (35, 0, .tlsFailed, false),
        (8, 0, .invalidResponse, false),
        (67, 0, .loginDenied, false),
        (56, 535, .loginDenied, false),
        (55, 550, .rejected, false),
        (55, 451, .rejected, true),
        (37, 0, .other, false),
    ])
    func mapping(curlCode: Int, responseCode: Int, kind: HTTPClientError.Kind, retryable: Bool) {
        let error = HTTPClientError.curl(code: curlCode, message: "m", url: "http://h/", responseCode: responseCode)
        #expect(error.kind == kind)
        #expect(error.isRetryable == retryable)
        #expect(error.curlCode == (kind == .other ? curlCode : nil))
        #expect(error.responseCode == (kind == .rejected ? responseCode : nil))
    }

    @Test func descriptionAndAccessors() {
        let error = HTTPClientError.tooLarge(limit: 10, url: "https://u:p@h/x?secret=s")
        #expect(error.limit == 10)
        #expect(error.url == "https://***@h/x?secret=***")
        #expect(error.description == "response larger than the limit of 10 bytes; transfer aborted (https://***@h/x?secret=***)")
        #expect(HTTPClientError.cancelled(url: "x").kind == .cancelled)
        #expect(HTTPClientError.Kind.cancelled.description == "cancelled")
    }
}
