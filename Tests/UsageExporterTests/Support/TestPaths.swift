import Foundation

/// Locations in the package, for tests that run the real binary.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug binary that `swift build --build-tests` produced next to the test bundle.
    static var binary: URL {
        packageRoot.appendingPathComponent(".build/debug/usage-exporter")
    }

    /// A new empty temporary directory.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("usage-exporter-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
