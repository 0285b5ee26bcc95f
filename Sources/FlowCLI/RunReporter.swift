import FlowCore
import FlowJSON
import Logging
import Synchronization

/// Shows a run as it happens: a live table on a terminal, plain lines otherwise, or one JSON
/// object per line with `--log-format json`. Everything printed goes through the run's masker.
final class RunReporter: RunObserver, Sendable {
    enum Format: String, Sendable {
        case text, json
    }

    struct State {
        var plan: ExecutionPlan?
        var runID = ""
        var counters: [String: NodeCounters] = [:]
        var nodeStatus: [String: NodeStatus] = [:]
        var nodeStarted: [String: Double] = [:]
        var order: [String] = []
        var drawnLines = 0
        var lastRate: [String: (time: Double, out: Int, rate: Double)] = [:]
    }

    let format: Format
    let live: Bool
    let color: Bool
    let masker: SecretMasker
    private let state = Mutex(State())

    init(format: Format, live: Bool, color: Bool, masker: SecretMasker) {
        self.format = format
        self.live = live && format == .text
        self.color = color
        self.masker = masker
    }

    // MARK: events

    func runStarted(_ plan: ExecutionPlan, runID: String) {
        state.withLock {
            $0.plan = plan
            $0.runID = runID
            $0.order = plan.nodes.map(\.node.id)
            for id in $0.order { $0.nodeStatus[id] = .pending }
        }
        emit(level: .info, event: "run_started", message: "run \(runID) of \(plan.workflow.name) started",
             fields: ["run_id": .string(runID), "workflow": .string(plan.workflow.name), "nodes": .int(plan.nodes.count)])
    }

    /// The engine creates counters; the reporter reads them through this hook for live rates.
    func track(_ id: String, counters: NodeCounters) {
        state.withLock { $0.counters[id] = counters }
    }

    func nodeStarted(_ id: String, attempt: Int) {
        state.withLock {
            $0.nodeStatus[id] = .running
            if $0.nodeStarted[id] == nil { $0.nodeStarted[id] = WallClock.now() }
        }
        if live { return }
        emit(level: .info, event: "node_started", node: id,
             message: attempt > 1 ? "attempt \(attempt) started" : "started", fields: ["attempt": .int(attempt)])
    }

    func nodeFinished(_ result: NodeResult) {
        state.withLock { $0.nodeStatus[result.id] = result.status }
        var fields: JSONObject = [
            "status": .string(result.status.rawValue), "records_in": .int(result.recordsIn),
            "records_out": .int(result.recordsOut), "attempts": .int(result.attempts),
        ]
        if let d = result.duration { fields["duration_s"] = .double((d * 1000).rounded() / 1000) }
        for (k, v) in result.metrics.sorted(by: { $0.key < $1.key }) { fields[k] = .int(v) }
        if let e = result.error { fields["error"] = .string(e) }
        let level: Logger.Level = result.status == .failed ? .error : result.status == .upstreamFailed ? .warning : .info
        if live && result.status == .succeeded { return }
        var message = result.status.rawValue
        if let d = result.duration { message += " in \(DurationParser.format(.milliseconds(Int64(d * 1000))))" }
        if result.status == .succeeded || result.recordsIn + result.recordsOut > 0 {
            message += " (in \(TextFormat.count(result.recordsIn)), out \(TextFormat.count(result.recordsOut)))"
        }
        if let e = result.error, result.status != .succeeded { message += ": \(e)" }
        emit(level: level, event: "node_finished", node: result.id, message: message, fields: fields)
    }

    func runFinished(_ result: RunResult) {
        clearLive()
    }

    // MARK: logging

    /// Writes one log line (masked), keeping the live table below it.
    func emit(level: Logger.Level, event: String, node: String? = nil, message: String, fields: JSONObject = [:]) {
        let now = WallClock.now()
        let line: String
        switch format {
        case .json:
            var object: JSONObject = ["ts": .string(WallClock.iso8601(now)), "level": .string(level.rawValue), "event": .string(event)]
            if let node { object["node"] = .string(node) }
            object["message"] = .string(message)
            for (k, v) in fields { object[k] = v }
            line = masker.mask(JSON.object(object)).serialized() + "\n"
        case .text:
            let time = String(WallClock.iso8601(now).dropFirst(11).prefix(8))
            var text = "\(time) \(Self.levelLabel(level, color: color))"
            if let node { text += " \(node):" }
            line = masker.mask(text + " " + message) + "\n"
        }
        state.withLock { s in
            if live { Terminal.err(clearSequence(s.drawnLines)); s.drawnLines = 0 }
            Terminal.err(line)
            if live { s.drawnLines = drawTable(&s) }
        }
    }

    static func levelLabel(_ level: Logger.Level, color: Bool) -> String {
        let name: String
        let code: String
        switch level {
        case .trace, .debug: (name, code) = ("debug", "2")
        case .info, .notice: (name, code) = ("info ", "36")
        case .warning: (name, code) = ("warn ", "33")
        case .error, .critical: (name, code) = ("error", "31")
        }
        return color ? "\u{1B}[\(code)m\(name)\u{1B}[0m" : name
    }

    // MARK: live table

    func redraw() {
        guard live else { return }
        state.withLock { s in
            Terminal.err(clearSequence(s.drawnLines))
            s.drawnLines = drawTable(&s)
        }
        Terminal.flush()
    }

    func clearLive() {
        guard live else { return }
        state.withLock { s in
            Terminal.err(clearSequence(s.drawnLines))
            s.drawnLines = 0
        }
    }

    func clearSequence(_ lines: Int) -> String {
        lines == 0 ? "" : "\u{1B}[\(lines)A\u{1B}[J"
    }

    /// Draws one line per running node (and a count of the rest); returns the number of lines.
    func drawTable(_ s: inout State) -> Int {
        let now = WallClock.now()
        var lines: [String] = []
        var done = 0, pending = 0
        let width = Terminal.width
        for id in s.order {
            let status = s.nodeStatus[id] ?? .pending
            if status.isTerminal { done += 1; continue }
            if status == .pending { pending += 1; continue }
            let c = s.counters[id]
            let out = c?.recordsOut ?? 0
            var rate = 0.0
            if let last = s.lastRate[id] {
                let dt = now - last.time
                rate = dt > 0.5 ? Double(out - last.out) / dt : last.rate
                if dt > 0.5 { s.lastRate[id] = (now, out, rate) }
            } else {
                s.lastRate[id] = (now, out, 0)
            }
            let elapsed = s.nodeStarted[id].map { now - $0 } ?? 0
            var line = "  \(color ? "\u{1B}[33m●\u{1B}[0m" : "*") \(id.padding(18)) running \(DurationParser.format(.milliseconds(Int64(elapsed * 1000))).padding(8))"
            line += " in \(TextFormat.count(c?.recordsIn ?? 0).padding(10)) out \(TextFormat.count(out).padding(10))"
            if rate > 0 { line += " \(TextFormat.count(Int(rate)))/s" }
            lines.append(String(line.prefix(width + (color ? 9 : 0))))
            if lines.count >= 20 { break }
        }
        lines.append("  \(done) done, \(lines.count) running, \(pending) waiting")
        Terminal.err(lines.joined(separator: "\n") + "\n")
        return lines.count
    }
}

/// Routes a node's swift-log messages to the reporter (masked, in the run's log format).
struct ReporterLogHandler: LogHandler {
    let reporter: RunReporter
    let node: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields = JSONObject()
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { fields[k] = .string("\(v)") }
        var message = "\(event.message)"
        if let error = event.error { message += ": \(error)" }
        reporter.emit(level: event.level, event: "log", node: node, message: message, fields: fields)
    }
}
