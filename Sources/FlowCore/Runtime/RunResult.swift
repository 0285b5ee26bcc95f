#if canImport(Glibc)
import Glibc
#endif

public enum NodeStatus: String, Sendable, Codable {
    case pending
    case running
    case succeeded
    case failed
    /// `when:` was false, or a node whose data it needs was skipped.
    case skipped
    /// A node it depends on failed.
    case upstreamFailed = "upstream_failed"
    case cancelled

    public var isTerminal: Bool { self != .pending && self != .running }
    /// Counts as a failure of the run.
    public var isFailure: Bool { self == .failed || self == .upstreamFailed }
}

public enum RunStatus: String, Sendable, Codable {
    case running
    case succeeded
    case failed
    case cancelled
}

/// What happened to one node in a run.
public struct NodeResult: Sendable {
    public var id: String
    public var type: String
    public var status: NodeStatus
    /// Seconds since the Unix epoch.
    public var startedAt: Double?
    public var finishedAt: Double?
    public var recordsIn: Int
    public var recordsOut: Int
    public var attempts: Int
    /// Masked error message.
    public var error: String?
    public var metrics: [String: Int]

    public var duration: Double? {
        guard let s = startedAt, let f = finishedAt else { return nil }
        return f - s
    }

    public init(id: String, type: String, status: NodeStatus, startedAt: Double? = nil, finishedAt: Double? = nil,
                recordsIn: Int = 0, recordsOut: Int = 0, attempts: Int = 0, error: String? = nil, metrics: [String: Int] = [:]) {
        self.id = id
        self.type = type
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.recordsIn = recordsIn
        self.recordsOut = recordsOut
        self.attempts = attempts
        self.error = error
        self.metrics = metrics
    }
}

/// The outcome of a run.
public struct RunResult: Sendable {
    public var runID: String
    public var workflow: String
    public var status: RunStatus
    public var startedAt: Double
    public var finishedAt: Double
    /// In file order.
    public var nodes: [NodeResult]
    /// The first failure, masked: what a user needs to read first.
    public var error: String?

    public var duration: Double { finishedAt - startedAt }

    public init(runID: String, workflow: String, status: RunStatus, startedAt: Double, finishedAt: Double,
                nodes: [NodeResult], error: String?) {
        self.runID = runID
        self.workflow = workflow
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.nodes = nodes
        self.error = error
    }
}

/// Wall-clock time as seconds since the Unix epoch, and its ISO 8601 text.
public enum WallClock {
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `2026-11-21T06:12:18.123Z`.
    public static func iso8601(_ seconds: Double) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        let millis = Int((seconds - seconds.rounded(.down)) * 1000)
        func pad(_ v: Int32, _ n: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, n - s.count)) + s
        }
        return "\(parts.tm_year + 1900)-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(millis), 3))Z"
    }

    /// `20261121-061218`: sortable, for run ids.
    public static func compact(_ seconds: Double) -> String {
        var t = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)\(pad(parts.tm_mon + 1))\(pad(parts.tm_mday))-\(pad(parts.tm_hour))\(pad(parts.tm_min))\(pad(parts.tm_sec))"
    }
}

/// Receives a run's events, e.g. to draw progress or record the run. Called from many tasks.
public protocol RunObserver: Sendable {
    func runStarted(_ plan: ExecutionPlan, runID: String)
    /// The live counters of a node, for progress displays.
    func track(_ id: String, counters: NodeCounters)
    func nodeStarted(_ id: String, attempt: Int)
    func nodeFinished(_ result: NodeResult)
    func runFinished(_ result: RunResult)
}

extension RunObserver {
    public func runStarted(_ plan: ExecutionPlan, runID: String) {}
    public func track(_ id: String, counters: NodeCounters) {}
    public func nodeStarted(_ id: String, attempt: Int) {}
    public func nodeFinished(_ result: NodeResult) {}
    public func runFinished(_ result: RunResult) {}
}

/// Forwards events to several observers.
public struct CompositeObserver: RunObserver {
    public let observers: [any RunObserver]
    public init(_ observers: [any RunObserver]) { self.observers = observers }
    public func runStarted(_ plan: ExecutionPlan, runID: String) { observers.forEach { $0.runStarted(plan, runID: runID) } }
    public func track(_ id: String, counters: NodeCounters) { observers.forEach { $0.track(id, counters: counters) } }
    public func nodeStarted(_ id: String, attempt: Int) { observers.forEach { $0.nodeStarted(id, attempt: attempt) } }
    public func nodeFinished(_ result: NodeResult) { observers.forEach { $0.nodeFinished(result) } }
    public func runFinished(_ result: RunResult) { observers.forEach { $0.runFinished(result) } }
}
