/// Runs `work` on the jobs from `next` with at most `parallel` running, and hands the results to
/// `emit` in job order. The next jobs are started before a finished one is emitted, so emitting
/// (parsing, sending downstream) overlaps the following transfers even with `parallel: 1`; at most
/// `parallel + 1` results wait to be emitted.
func forEachOrdered<Job: Sendable, Output: Sendable>(
    parallel: Int,
    next: () async throws -> Job?,
    work: @escaping @Sendable (Job) async throws -> Output,
    emit: (Output) async throws -> Void
) async throws {
    try await withThrowingTaskGroup(of: (Int, Output).self) { group in
        var issued = 0
        var completed = 0
        var emitted = 0
        var done: [Int: Output] = [:]
        var exhausted = false
        while true {
            while !exhausted, issued - completed < parallel, issued - emitted <= parallel {
                guard let job = try await next() else {
                    exhausted = true
                    break
                }
                let index = issued
                group.addTask { (index, try await work(job)) }
                issued += 1
            }
            if let ready = done.removeValue(forKey: emitted) {
                try await emit(ready)
                emitted += 1
                continue
            }
            if exhausted, emitted == issued { break }
            guard let (index, output) = try await group.next() else { break }
            completed += 1
            done[index] = output
        }
    }
}
