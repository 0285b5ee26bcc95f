import FlowCore
import FlowJSON

/// Sends pages to the output edge one per batch: a page is a whole document (often megabytes
/// once parsed), so the edge's bound of a few batches bounds memory.
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
        if count >= 1 {
            try await writer.flush()
            count = 0
        }
    }

    mutating func flush() async throws { try await writer.flush() }
}
