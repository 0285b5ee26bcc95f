import Foundation
import Testing

@testable import FlowHTTP

/// `file:` URLs are read through libcurl like any other transfer.
@Suite struct FileURLTests {
    let client = HTTPClient()

    @Test func readsAFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-http-\(UUID().uuidString).json")
        try Data(#"{"from":"file"}"#.utf8).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let response = try await client.execute(HTTPRequest(url: "file://\(path.path)"))
        #expect(response.status == 200)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"from":"file"}"#)
        #expect(response.httpVersion == .unknown)
    }

    @Test func fileOverTheLimitIsTooLarge() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-http-\(UUID().uuidString).bin")
        try Data(count: 10_000).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        await #expect {
            _ = try await client.execute(HTTPRequest(url: "file://\(path.path)", maxResponseBytes: 100))
        } throws: { ($0 as? HTTPClientError)?.kind == .tooLarge }
    }

    @Test func missingFileFails() async throws {
        do {
            _ = try await client.execute(HTTPRequest(url: "file:///nonexistent/flow/\(UUID().uuidString)"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .other)
            #expect(error.curlCode == 37)  // CURLE_FILE_COULDNT_READ_FILE
            #expect(!error.message.isEmpty)
        }
    }
}
