import FlowCore
import FlowJSON

/// Batches pages for the output edge, sending early when the batch holds many bytes.
struct PageOutput {
    var writer: RecordWriter
    let output: RecordOutput
    var count = 0

    init(_ output: RecordOutput) {
        self.output = output
        writer = output.writer()
    }

    mutating func emit(_ page: JSON) async throws {
        try await writer.emit(page)
        count += 1
        // Pages can be large: at most 16 per batch keeps memory bounded whatever the page size.
        if count >= 16 {
            try await writer.flush()
            count = 0
        }
    }

    mutating func flush() async throws { try await writer.flush() }
}
