import FlowCore
import FlowJSON
import FlowSQLite

/// Recorded runs in an embedded SQLite file (`flow runs`).
///
/// The file is `$FLOW_HOME/state.db` when FLOW_HOME is set, else `.flow/state.db` next to the
/// workflow file. Secrets never reach it: params and errors are masked before they are written.
public final class RunStore: Sendable {
    let connection: SQLiteConnection
    public let path: String

    static let schema = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS runs (
            id TEXT PRIMARY KEY,
            workflow TEXT NOT NULL,
            file TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at REAL NOT NULL,
            finished_at REAL,
            params TEXT NOT NULL,
            error TEXT
        );
        CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
        CREATE TABLE IF NOT EXISTS run_nodes (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            node_id TEXT NOT NULL,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            started_at REAL,
            finished_at REAL,
            records_in INTEGER NOT NULL DEFAULT 0,
            records_out INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            metrics TEXT NOT NULL DEFAULT '{}',
            PRIMARY KEY (run_id, node_id)
        );
        CREATE TABLE IF NOT EXISTS run_notifications (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            channel TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            error TEXT,
            sent_at REAL NOT NULL
        );
        """

    /// Opens or creates the store at `path`, creating its directory.
    public init(path: String) throws {
        self.path = path
        try FileSystem.createDirectories(FileSystem.parent(of: path))
        connection = try SQLiteConnection(path: path)
        try connection.sync { try $0.execute(Self.schema) }
    }

    /// Where runs of `workflowFile` are stored.
    public static func defaultPath(forWorkflow workflowFile: String?, environment: [String: String]) -> String {
        if let home = environment["FLOW_HOME"], !home.isEmpty { return home + "/state.db" }
        let directory = workflowFile.map(FileSystem.parent(of:)) ?? "."
        return directory + "/.flow/state.db"
    }

    public func recordStart(runID: String, workflow: String, file: String, params: JSON, startedAt: Double) async throws {
        try await connection.withDatabase { db in
            let s = try db.prepare("INSERT INTO runs (id, workflow, file, status, started_at, params) VALUES (?, ?, ?, 'running', ?, ?)")
            try s.bind([.text(runID), .text(workflow), .text(file), .real(startedAt), .text(params.serialized())])
            _ = try s.step()
        }
    }

    public func recordFinish(_ result: RunResult) async throws {
        try await connection.withDatabase { db in try Self.writeFinish(result, db) }
    }

    /// The same, synchronously: for the last write before the process exits on a signal.
    public func recordFinishNow(_ result: RunResult) throws {
        try connection.sync { try Self.writeFinish(result, $0) }
    }

    static func writeFinish(_ result: RunResult, _ db: SQLiteDatabase) throws {
        try db.transaction {
            let run = try db.prepare("UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?")
            try run.bind([.text(result.status.rawValue), .real(result.finishedAt), result.error.map(SQLiteValue.text) ?? .null,
                          .text(result.runID)])
            _ = try run.step()
            let node = try db.prepare("""
                INSERT OR REPLACE INTO run_nodes (run_id, position, node_id, type, status, started_at, finished_at,
                    records_in, records_out, attempts, error, metrics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for (i, n) in result.nodes.enumerated() {
                node.reset()
                var metrics = JSONObject()
                for key in n.metrics.keys.sorted() { metrics[key] = .int(n.metrics[key]!) }
                try node.bind([
                    .text(result.runID), .integer(Int64(i)), .text(n.id), .text(n.type), .text(n.status.rawValue),
                    n.startedAt.map(SQLiteValue.real) ?? .null, n.finishedAt.map(SQLiteValue.real) ?? .null,
                    .integer(Int64(n.recordsIn)), .integer(Int64(n.recordsOut)), .integer(Int64(n.attempts)),
                    n.error.map(SQLiteValue.text) ?? .null, .text(JSON.object(metrics).serialized()),
                ])
                _ = try node.step()
            }
        }
    }

    public func recordNotification(runID: String, position: Int, channel: String, status: String, attempts: Int,
                                   error: String?) async throws {
        try await connection.withDatabase { db in
            let s = try db.prepare("""
                INSERT INTO run_notifications (run_id, position, channel, status, attempts, error, sent_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            try s.bind([.text(runID), .integer(Int64(position)), .text(channel), .text(status), .integer(Int64(attempts)),
                        error.map(SQLiteValue.text) ?? .null, .real(WallClock.now())])
            _ = try s.step()
        }
    }

    // MARK: reading

    public struct RunSummary: Sendable {
        public var id: String
        public var workflow: String
        public var file: String
        public var status: String
        public var startedAt: Double
        public var finishedAt: Double?
        public var params: JSON
        public var error: String?
    }

    public struct NodeRecord: Sendable {
        public var id: String
        public var type: String
        public var status: String
        public var startedAt: Double?
        public var finishedAt: Double?
        public var recordsIn: Int
        public var recordsOut: Int
        public var attempts: Int
        public var error: String?
        public var metrics: JSON
    }

    public struct NotificationRecord: Sendable {
        public var position: Int
        public var channel: String
        public var status: String
        public var attempts: Int
        public var error: String?
    }

    public func listRuns(limit: Int, workflow: String? = nil) async throws -> [RunSummary] {
        try await connection.withDatabase { db in
            var sql = "SELECT id, workflow, file, status, started_at, finished_at, params, error FROM runs"
            var args: [SQLiteValue] = []
            if let workflow {
                sql += " WHERE workflow = ?"
                args.append(.text(workflow))
            }
            sql += " ORDER BY started_at DESC, id DESC LIMIT ?"
            args.append(.integer(Int64(limit)))
            return try db.query(sql, args).map(Self.summary)
        }
    }

    /// The run with this id, or the only run whose id starts with it.
    public func findRun(_ idOrPrefix: String) async throws -> (RunSummary, [NodeRecord], [NotificationRecord])? {
        try await connection.withDatabase { db in
            var rows = try db.query("SELECT id, workflow, file, status, started_at, finished_at, params, error FROM runs WHERE id = ?",
                                    [.text(idOrPrefix)])
            if rows.isEmpty {
                rows = try db.query("""
                    SELECT id, workflow, file, status, started_at, finished_at, params, error FROM runs
                    WHERE substr(id, 1, length(?)) = ? ORDER BY started_at DESC LIMIT 2
                    """, [.text(idOrPrefix), .text(idOrPrefix)])
                guard rows.count == 1 else { return nil }
            }
            let run = Self.summary(rows[0])
            let nodes = try db.query("""
                SELECT node_id, type, status, started_at, finished_at, records_in, records_out, attempts, error, metrics
                FROM run_nodes WHERE run_id = ? ORDER BY position
                """, [.text(run.id)]).map { r in
                NodeRecord(id: r[0].text, type: r[1].text, status: r[2].text, startedAt: r[3].real, finishedAt: r[4].real,
                           recordsIn: r[5].int, recordsOut: r[6].int, attempts: r[7].int, error: r[8].optionalText,
                           metrics: (try? JSONParser.parse(r[9].text)) ?? [:])
            }
            let notifications = try db.query("""
                SELECT position, channel, status, attempts, error FROM run_notifications WHERE run_id = ? ORDER BY sent_at
                """, [.text(run.id)]).map { r in
                NotificationRecord(position: r[0].int, channel: r[1].text, status: r[2].text, attempts: r[3].int, error: r[4].optionalText)
            }
            return (run, nodes, notifications)
        }
    }

    static func summary(_ r: [SQLiteValue]) -> RunSummary {
        RunSummary(id: r[0].text, workflow: r[1].text, file: r[2].text, status: r[3].text, startedAt: r[4].real ?? 0,
                   finishedAt: r[5].real, params: (try? JSONParser.parse(r[6].text)) ?? [:], error: r[7].optionalText)
    }
}

extension SQLiteValue {
    var text: String {
        switch self {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        default: return ""
        }
    }

    var optionalText: String? { if case .null = self { return nil } else { return text } }

    var real: Double? {
        switch self {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        default: return nil
        }
    }

    var int: Int {
        switch self {
        case .integer(let i): return Int(i)
        case .real(let d): return Int(d)
        default: return 0
        }
    }
}

