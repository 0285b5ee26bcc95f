#if canImport(Glibc)
import Glibc
#endif
import FlowCore

/// Reads a file in large chunks and hands out complete lines without copying them.
///
/// Reads are plain blocking `read(2)` calls of local files (served from the page cache); they
/// never wait on the network. See docs/architecture.md.
struct LineReader: ~Copyable {
    let fd: Int32
    let path: String
    var buffer: UnsafeMutableRawBufferPointer
    var start = 0
    var end = 0
    var eof = false
    /// 1-based number of the last line returned.
    private(set) var lineNumber = 0

    init(path: String, chunkSize: Int = 1 << 20) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw NodeIOError("cannot open `\(path)`: \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        self.path = path
        buffer = .allocate(byteCount: chunkSize, alignment: 16)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Calls `body` with the next line (without its `\n` or `\r\n`); false at the end of the file.
    mutating func nextLine<R>(_ body: (UnsafeRawBufferPointer, _ lineNumber: Int) throws -> R) throws -> R? {
        while true {
            if let newline = indexOfNewline() {
                var lineEnd = newline
                if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = newline + 1
                lineNumber += 1
                return try body(line, lineNumber)
            }
            if eof {
                guard start < end else { return nil }
                var lineEnd = end
                if buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd])
                start = end
                lineNumber += 1
                return try body(line, lineNumber)
            }
            try fill()
        }
    }

    private func indexOfNewline() -> Int? {
        guard start < end, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + start, 0x0A, end - start) else { return nil }
        return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
    }

    /// Moves the unread tail to the front and reads more; grows the buffer for very long lines.
    private mutating func fill() throws {
        if start > 0 {
            if end > start { memmove(buffer.baseAddress!, buffer.baseAddress! + start, end - start) }
            end -= start
            start = 0
        }
        if end == buffer.count {
            let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
            bigger.copyMemory(from: UnsafeRawBufferPointer(buffer))
            buffer.deallocate()
            buffer = bigger
        }
        let n = read(fd, buffer.baseAddress! + end, buffer.count - end)
        if n < 0 { throw NodeIOError("cannot read `\(path)`: \(String(cString: strerror(errno)))") }
        if n == 0 { eof = true }
        end += n
    }

    /// Reads the whole (remaining) file.
    static func readAll(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw NodeIOError("cannot open `\(path)`: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { throw NodeIOError("cannot read `\(path)`: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return bytes
    }
}

/// Buffered writes to a file descriptor.
final class FileWriter {
    let fd: Int32
    let path: String
    private var closed = false
    var buffer: [UInt8] = []
    let flushThreshold = 1 << 18

    init(path: String, append: Bool) throws {
        let flags = O_WRONLY | O_CREAT | (append ? O_APPEND : O_TRUNC)
        let fd = open(path, flags, 0o644)
        guard fd >= 0 else { throw NodeIOError("cannot open `\(path)` for writing: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.path = path
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Writes `bytes` followed by `terminator` (when given).
    func write(_ bytes: UnsafeBufferPointer<UInt8>, terminator: UInt8? = nil) throws {
        buffer.append(contentsOf: bytes)
        if let terminator { buffer.append(terminator) }
        if buffer.count >= flushThreshold { try flush() }
    }

    func write(byte: UInt8) throws {
        buffer.append(byte)
        if buffer.count >= flushThreshold { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw NodeIOError("cannot write `\(path)`: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        try flush()
        closed = true
        if Glibc.close(fd) != 0 { throw NodeIOError("cannot close `\(path)`: \(String(cString: strerror(errno)))") }
    }

    /// Closing twice would close whatever file another node opened under the same number since.
    deinit { if !closed { _ = Glibc.close(fd) } }
}

struct NodeIOError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum FileFormat: String, Sendable {
    case json, ndjson, csv

    /// The format named by the file extension, if any.
    static func from(path: String) -> FileFormat? {
        let lower = path.lowercased()
        if lower.hasSuffix(".ndjson") || lower.hasSuffix(".jsonl") { return .ndjson }
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") { return .csv }
        return nil
    }
}

extension FileFormat {
    /// `format:` when written, else the path's extension, else `fallback` (when the caller has one).
    static func chosen(by config: NodeConfig, path raw: String, fallback: FileFormat? = nil) throws -> FileFormat {
        if let f = config.string("format").flatMap(FileFormat.init) { return f }
        if let f = FileFormat.from(path: raw) ?? fallback { return f }
        throw config.error("cannot tell the format of `\(raw)` from its extension", field: "path",
                           hint: "add `format: json`, `format: ndjson` or `format: csv`")
    }

    /// The CSV `delimiter:` field as one byte.
    static func delimiter(_ config: NodeConfig) throws -> UInt8 {
        let d = config.string("delimiter") ?? ","
        guard d.utf8.count == 1, let byte = d.utf8.first else {
            throw config.error("`delimiter` must be a single ASCII character", field: "delimiter")
        }
        return byte
    }
}
