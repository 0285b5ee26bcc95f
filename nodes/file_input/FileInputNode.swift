import FlowCore
import FlowJSON

/// Reads records from a JSON, NDJSON or CSV file, streaming NDJSON and CSV.
struct FileInputNode: Node {
    static let spec = NodeSpec(
        type: "file_input",
        summary: "Read records from a JSON, NDJSON or CSV file (NDJSON and CSV are streamed).",
        inputs: .none,
        fields: [
            FieldSpec("path", .string, required: true, "File to read, relative to the workflow file."),
            FieldSpec("format", .choice(["json", "ndjson", "csv"]),
                      "File format; taken from the extension (.json, .ndjson/.jsonl, .csv) when omitted. `json`: a top-level array gives one record per element, any other document is one record."),
            FieldSpec("delimiter", .string, default: ",", "CSV field delimiter (one character)."),
            FieldSpec("infer_types", .boolean, default: false,
                      "CSV: turn integers, decimals, `true`/`false` into numbers and booleans, and empty cells into null (all cells are strings otherwise)."),
        ],
        example: """
            orders:
              type: file_input
              path: data/orders.ndjson
            """)

    let path: String
    let format: FileFormat
    let delimiter: UInt8
    let inferTypes: Bool

    init(config: NodeConfig, context: NodeBuildContext) throws {
        let raw = config.string("path") ?? ""
        path = context.resolvePath(raw)
        format = try FileFormat.chosen(by: config, path: raw)
        delimiter = try FileFormat.delimiter(config)
        inferTypes = config.bool("infer_types") ?? false
    }

    func run(_ context: NodeContext) async throws {
        switch format {
        case .json: try await readJSON(context)
        case .ndjson: try await readNDJSON(context)
        case .csv: try await readCSV(context)
        }
    }

    func readJSON(_ context: NodeContext) async throws {
        let bytes = try LineReader.readAll(path: path)
        let document: JSON
        do {
            document = try JSONParser.parse(bytes: bytes)
        } catch {
            throw NodeError(nodeID: context.nodeID, message: "`\(path)`:\(error.line):\(error.column): invalid JSON: \(error.message)")
        }
        var writer = context.output.writer()
        if case .array(let items) = document {
            for item in items { try await writer.emit(item) }
        } else {
            try await writer.emit(document)
        }
        try await writer.flush()
    }

    func readNDJSON(_ context: NodeContext) async throws {
        if context.output.prefersDocuments { return try await readNDJSONDocuments(context) }
        var reader = try LineReader(path: path)
        let batchSize = context.output.batchSize
        var batch: [JSON] = []
        batch.reserveCapacity(batchSize)
        // The text the batch was parsed from: big records make batches end sooner.
        var batchBytes = 0
        while true {
            let line: JSON?? = try reader.nextLine { bytes, lineNumber -> JSON? in
                if Self.isBlank(bytes) { return nil }
                batchBytes += bytes.count
                do {
                    return try JSONParser.parse(bytes)
                } catch let error as JSONParseError {
                    throw invalidLine(error, lineNumber, context)
                }
            }
            guard let parsed = line else { break }
            guard let record = parsed else { continue }
            batch.append(record)
            if batch.count >= batchSize || batchBytes >= Self.documentBatchBytes {
                try await context.output.send(batch)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
        }
        try await context.output.send(batch)
    }

    /// Every consumer takes JSON text: lines are validated (same rules and errors as parsing)
    /// and sent as documents, never parsed into values.
    func readNDJSONDocuments(_ context: NodeContext) async throws {
        var reader = try LineReader(path: path)
        let batchSize = context.output.batchSize
        var documents = JSONDocuments()
        while true {
            let more: Bool? = try reader.nextLine { bytes, lineNumber -> Bool in
                if Self.isBlank(bytes) { return true }
                do throws(JSONParseError) {
                    try documents.append(validating: bytes)
                } catch {
                    throw invalidLine(error, lineNumber, context)
                }
                return true
            }
            guard more != nil else { break }
            // Batches are bounded in bytes too: 500 lines of 100 KB would make 50 MB batches, each
            // a fresh allocation, and an edge holds several.
            if documents.count >= batchSize || documents.bytes.count >= Self.documentBatchBytes {
                try await context.output.send(documents)
                documents = JSONDocuments(reservingBytes: min(documents.bytes.count, Self.documentBatchBytes), documents: batchSize)
            }
        }
        try await context.output.send(documents)
    }

    /// A batch is sent once it holds this many bytes of JSON text (or `batchSize` records).
    static let documentBatchBytes = 1 << 20

    static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }

    func invalidLine(_ error: JSONParseError, _ lineNumber: Int, _ context: NodeContext) -> NodeError {
        NodeError(nodeID: context.nodeID,
                  message: "`\(path)`:\(lineNumber):\(error.column): invalid JSON: \(error.message)",
                  hint: "NDJSON needs one complete JSON value per line")
    }

    func readCSV(_ context: NodeContext) async throws {
        var reader = try LineReader(path: path)
        var header: [String]?
        var pending: [UInt8] = []
        var startLine = 0
        var writer = context.output.writer()
        while let (line, lineNumber) = try reader.nextLine({ (Array($0), $1) }) {
            if pending.isEmpty { startLine = lineNumber } else { pending.append(0x0A) }
            pending.append(contentsOf: line)
            guard let fields = CSV.fields(pending, delimiter: delimiter) else { continue }
            pending.removeAll(keepingCapacity: true)
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard let columns = header else {
                var names = fields
                if let first = names.first, first.hasPrefix("\u{FEFF}") { names[0] = String(first.dropFirst()) }
                header = names
                continue
            }
            guard fields.count <= columns.count else {
                throw NodeError(nodeID: context.nodeID,
                                message: "`\(path)`:\(startLine): \(fields.count) fields but the header has \(columns.count)",
                                hint: "quote fields that contain the delimiter `\(Character(Unicode.Scalar(delimiter)))`")
            }
            var record = JSONObject(minimumCapacity: columns.count)
            for (i, name) in columns.enumerated() {
                record[name] = i < fields.count ? CSV.value(fields[i], infer: inferTypes) : .null
            }
            try await writer.emit(.object(record))
        }
        if !pending.isEmpty {
            throw NodeError(nodeID: context.nodeID, message: "`\(path)`:\(startLine): unterminated quoted field")
        }
        try await writer.flush()
    }
}
