import Foundation

/// Locations in the package, for tests that run the real binary.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug binary that `swift build --build-tests` produced next to the test bundle.
    static var binary: URL {
        packageRoot.appendingPathComponent(".build/debug/usage-exporter")
    }

    /// Writes `contents` to the file `name` in `directory`; returns its path.
    @discardableResult
    static func write(_ name: String, _ contents: String, in directory: URL) -> String {
        let url = directory.appendingPathComponent(name)
        try! contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("usage-exporter-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
