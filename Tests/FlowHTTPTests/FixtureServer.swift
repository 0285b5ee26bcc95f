import Foundation
import FlowHTTP
import FlowTestSupport
import Testing

/// The shared fixture servers (FlowTestSupport), under the name these tests use.
typealias FixtureServer = Fixture

extension Fixture {
    static var http: Result<Fixture, any Error> { httpResult }
    static var https: Result<Fixture, any Error> { httpsResult }
}

/// The JSON object that /echo returns.
struct Echo {
    let json: [String: Any]

    init(_ body: [UInt8]) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw FixtureError(message: "echo body is not a JSON object")
        }
        json = object
    }

    var method: String? { json["method"] as? String }
    var path: String? { json["path"] as? String }
    var query: String? { json["query"] as? String }
    var body: String? { json["body"] as? String }
    var bodyBytes: [UInt8] {
        (json["bodyBase64"] as? String).flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
    }
    var clientPort: Int? { json["clientPort"] as? Int }

    var headers: [(String, String)] {
        (json["headers"] as? [[String]] ?? []).compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// Elapsed wall-clock time of `body`.
func measure<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    let value = try await body()
    return (value, clock.now - start)
}

/// The error `body` throws, or nil when it succeeds.
func failure<T>(_ body: () async throws(HTTPClientError) -> T) async -> HTTPClientError? {
    do {
        _ = try await body()
        return nil
    } catch {
        return error
    }
}
