#if canImport(Glibc)
import Glibc
#endif
import FlowCore
import FlowJSON

/// Writes records to a JSON, NDJSON or CSV file. With `mode: overwrite` the file is replaced
/// only when the node succeeds, so a failed run leaves the previous file as it was.
struct FileOutputNode: Node {
    static let spec = NodeSpec(
        type: "file_output",
        summary: "Write records to a JSON, NDJSON or CSV file (replaced atomically when the node succeeds).",
        inputs: .required,
        producesRecords: false,
        fields: [
            FieldSpec("path", .string, required: true, "File to write, relative to the workflow file; `/dev/null` and `/dev/stdout` work."),
            FieldSpec("format", .choice(["json", "ndjson", "csv"]),
                      "File format; taken from the extension when omitted. `json` writes one array of all records."),
            FieldSpec("mode", .choice(["overwrite", "append"]), default: "overwrite",
                      "`overwrite` replaces the file when the node succeeds; `append` adds to it as records arrive (ndjson and csv)."),
            FieldSpec("delimiter", .string, default: ",", "CSV field delimiter (one character)."),
            FieldSpec("pretty", .boolean, default: false, "`json`: indent the output."),
        ],
        example: """
            save:
              type: file_output
              input: products
              path: out/products.csv
            """)

    let path: String
    let format: FileFormat
    let append: Bool
    let delimiter: UInt8
    let pretty: Bool

    init(config: NodeConfig, context: NodeBuildContext) throws {
        let raw = config.string("path") ?? ""
        path = context.resolvePath(raw)
        // Devices (`/dev/null`, `/dev/stdout`) have no extension: NDJSON unless `format:` says otherwise.
        format = try FileFormat.chosen(by: config, path: raw, fallback: raw.hasPrefix("/dev/") ? .ndjson : nil)
        append = config.string("mode") == "append"
        if append && format == .json {
            throw config.error("`mode: append` works with ndjson and csv, not json", field: "mode",
                               hint: "a JSON file holds one array; use `format: ndjson` to append records")
        }
        delimiter = try FileFormat.delimiter(config)
        pretty = config.bool("pretty") ?? false
    }

    /// Regular files are written to a temporary sibling and renamed on success; devices, pipes
    /// and appends are written in place.
    func targetIsRegularFile() -> Bool {
        var info = stat()
        if stat(path, &info) != 0 { return true }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    func run(_ context: NodeContext) async throws {
        let input = try context.requireInput()
        let atomic = !append && targetIsRegularFile()
        let writePath = atomic ? "\(path).flow-tmp-\(getpid())" : path
        // Outputs may go to `out/...` without preparing the directory.
        try FileSystem.createDirectories(FileSystem.parent(of: path))
        let file = try FileWriter(path: writePath, append: append)
        var succeeded = false
        defer { if atomic && !succeeded { unlink(writePath) } }
        // What was received before a checkpoint is handed to the operating system.
        input.onCheckpoint { try file.flush() }

        var header: [String]?
        var first = true
        var line: [UInt8] = []
        line.reserveCapacity(4096)
        if format == .json { try file.write(Array((pretty ? "[\n" : "[").utf8)) }
        if format == .csv && append {
            var info = stat()
            if stat(path, &info) == 0 && info.st_size > 0 { header = readExistingHeader() }
        }
        for try await batch in input.batches {
            if case .documents(let documents) = batch, readsDocuments {
                // Compact JSON text already: copied as it came.
                try documents.bytes.withUnsafeBufferPointer { bytes in
                    var start = 0
                    for end in documents.ends {
                        if format == .json && !first { try file.write(byte: UInt8(ascii: ",")) }
                        try file.write(UnsafeBufferPointer(rebasing: bytes[start..<end]), terminator: format == .ndjson ? 0x0A : nil)
                        first = false
                        start = end
                    }
                }
                continue
            }
            for record in try batch.records() {
                line.removeAll(keepingCapacity: true)
                switch format {
                case .ndjson:
                    record.write(to: &line)
                    line.append(0x0A)
                case .json:
                    if !first { line.append(UInt8(ascii: ",")) }
                    if pretty { line.append(0x0A) }
                    record.write(to: &line, pretty: pretty, indent: pretty ? 1 : 0)
                case .csv:
                    let object = record.objectValue ?? ["value": record]
                    if header == nil {
                        header = Array(object.keys)
                        for (i, name) in object.keys.enumerated() {
                            if i > 0 { line.append(delimiter) }
                            CSV.write(.string(name), delimiter: delimiter, to: &line)
                        }
                        line.append(0x0A)
                    }
                    for (i, name) in header!.enumerated() {
                        if i > 0 { line.append(delimiter) }
                        CSV.write(object[name], delimiter: delimiter, to: &line)
                    }
                    line.append(0x0A)
                }
                first = false
                try file.write(line)
            }
        }
        if format == .json { try file.write(Array((pretty ? "\n]\n" : "]\n").utf8)) }
        try file.close()
        if atomic {
            guard rename(writePath, path) == 0 else {
                throw NodeError(nodeID: context.nodeID, message: "cannot replace `\(path)`: \(String(cString: strerror(errno)))")
            }
        }
        succeeded = true
    }

    /// Only `mode: append` and devices write as records arrive; an overwritten file appears when
    /// the node succeeds, which a source running until interrupted never lets happen.
    var checkpointLimitation: String? {
        append || path.hasPrefix("/dev/")
            ? nil : "`mode: overwrite` writes the file only when the node finishes; use `mode: append`"
    }

    /// NDJSON and compact JSON take documents as bytes: pass-through without parsing.
    var readsDocuments: Bool { format == .ndjson || (format == .json && !pretty) }

    func readExistingHeader() -> [String]? {
        guard var reader = try? LineReader(path: path, chunkSize: 1 << 16) else { return nil }
        return (try? reader.nextLine { bytes, _ in CSV.fields(Array(bytes), delimiter: delimiter) }) ?? nil
    }
}
