import Synchronization
import Testing

@testable import FlowNodes

/// `forEachOrdered`: results in job order, at most `parallel` running, a bounded backlog.
@Suite struct WebAPIOrderedTests {
    final class Gauge: Sendable {
        let state = Mutex((running: 0, peak: 0))
        func enter() { state.withLock { $0.running += 1; $0.peak = max($0.peak, $0.running) } }
        func leave() { state.withLock { $0.running -= 1 } }
        var peak: Int { state.withLock { $0.peak } }
    }

    @Test(arguments: [1, 3, 8])
    func resultsComeInJobOrder(parallel: Int) async throws {
        let gauge = Gauge()
        var jobs = Array(0..<40)[...]
        var emitted: [Int] = []
        var pulledAhead = 0
        try await forEachOrdered(parallel: parallel, next: {
            pulledAhead = max(pulledAhead, (40 - jobs.count) - emitted.count)
            return jobs.popFirst()
        }, work: { job in
            gauge.enter()
            defer { gauge.leave() }
            // Early jobs take longest, so later ones finish first.
            try await Task.sleep(for: .milliseconds((40 - job) % 7))
            return job * 10
        }, emit: { emitted.append($0) })
        #expect(emitted == (0..<40).map { $0 * 10 })
        #expect(gauge.peak <= parallel)
        #expect(pulledAhead <= 2 * parallel + 1)
    }

    @Test func aFailingJobFailsTheWhole() async {
        await #expect(throws: CancellationError.self) {
            var jobs = Array(0..<10)[...]
            try await forEachOrdered(parallel: 3, next: { jobs.popFirst() }, work: { job in
                if job == 4 { throw CancellationError() }
                return job
            }, emit: { _ in })
        }
    }
}
