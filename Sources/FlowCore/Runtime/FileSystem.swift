#if canImport(Glibc)
import Glibc
#endif

/// Small file-system helpers without Foundation, shared by the run store and file nodes.
public enum FileSystem {
    /// The directory part of `path` (`.` when there is none).
    public static func parent(of path: String) -> String {
        Paths.directory(of: path)
    }

    /// `mkdir -p`.
    public static func createDirectories(_ path: String) throws(FileSystemError) {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw FileSystemError(message: "cannot create directory `\(current)`: \(String(cString: strerror(errno)))")
            }
        }
    }
}

public struct FileSystemError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
