import Foundation

/// A scratch directory for one test, with helpers to write workflow files into it.
struct TempDir {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("flow-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        return file
    }

    func read(_ name: String) -> String? {
        try? String(contentsOfFile: path + "/" + name, encoding: .utf8)
    }

    /// Environment that keeps run state inside this directory.
    var env: [String: String] { ["FLOW_HOME": path + "/home"] }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
