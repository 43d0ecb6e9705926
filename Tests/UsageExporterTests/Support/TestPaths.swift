import Foundation

/// Locations in the package, for tests that run the real binary.
enum TestPaths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The debug binary that `swift build --build-tests` produced next to the test bundle.
    static var binary: URL {
        packageRoot.appendingPathComponent(".build/debug/usage-exporter")
    }
}

/// A new empty temporary directory, removed with everything in it when the last reference goes (a suite
/// holding one removes it after each test).
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("usage-exporter-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    var path: String { url.path }

    /// The path of `name` in this directory.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes `contents` to the file `name` in this directory; returns its path.
    @discardableResult
    func write(_ name: String, _ contents: String) -> String {
        let path = file(name)
        precondition(FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)), "could not write \(path)")
        return path
    }
}
