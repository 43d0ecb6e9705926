import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter

/// The revision every build records (scripts/build-revision, run by Plugins/BuildRevisionPlugin): the commit of a
/// git checkout, `-dirty` when tracked files differ from it, `unknown` for sources without their own repository;
/// and `--version`, `usage_exporter_build_info` and the landing page saying the same.
@Suite("Build revision", .serialized)
struct BuildRevisionTests {
    let directory = TemporaryDirectory()

    /// Runs `command` with `arguments` in `directory`; returns its standard output, trimmed.
    @discardableResult
    func run(_ command: String, _ arguments: [String], in directory: String, environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let git = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"].first { FileManager.default.isExecutableFile(atPath: $0) }

    func git(_ arguments: [String], in directory: String) throws -> String {
        try run(
            Self.git ?? "/usr/bin/git",
            ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"] + arguments,
            in: directory
        )
    }

    /// What scripts/build-revision writes for `root`.
    func revision(of root: String, environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws -> String {
        let out = directory.file("out-\(UUID().uuidString)")
        try run(
            "/bin/sh",
            [TestPaths.packageRoot.appendingPathComponent("scripts/build-revision").path, root, out],
            in: root,
            environment: environment
        )
        let text = try String(contentsOfFile: out + "/BuildRevision.swift", encoding: .utf8)
        return String(text.split(separator: "\"").dropFirst().first ?? "")
    }

    @Test("a checkout gives its short commit, -dirty with a changed tracked file (not with a new untracked one); other sources give unknown")
    func script() throws {
        guard Self.git != nil else { return }
        let plain = directory.file("plain")
        try FileManager.default.createDirectory(atPath: plain, withIntermediateDirectories: true)
        #expect(try revision(of: plain) == "unknown")

        let repository = directory.file("repository")
        try FileManager.default.createDirectory(atPath: repository, withIntermediateDirectories: true)
        try git(["init", "-q"], in: repository)
        try "one\n".write(toFile: repository + "/file", atomically: true, encoding: .utf8)
        try git(["add", "file"], in: repository)
        try git(["commit", "-q", "-m", "first"], in: repository)
        let commit = try git(["rev-parse", "--short=7", "HEAD"], in: repository)
        #expect(commit.count == 7)
        #expect(try revision(of: repository) == commit)
        try "new\n".write(toFile: repository + "/untracked", atomically: true, encoding: .utf8)
        #expect(try revision(of: repository) == commit)
        try "two\n".write(toFile: repository + "/file", atomically: true, encoding: .utf8)
        #expect(try revision(of: repository) == commit + "-dirty")

        // Sources unpacked inside another repository are not its checkout.
        let inner = repository + "/unpacked"
        try FileManager.default.createDirectory(atPath: inner, withIntermediateDirectories: true)
        #expect(try revision(of: inner) == "unknown")
        #expect(try revision(of: repository, environment: ["PATH": "/usr/bin:/bin", "USAGE_EXPORTER_REVISION": "1a2b3c4"]) == "1a2b3c4")
        #expect(try revision(of: repository, environment: ["PATH": "/usr/bin:/bin", "USAGE_EXPORTER_REVISION": "bad\"quote"]) == "unknown")
    }

    @Test("this build records this checkout's commit; --version, build_info and the landing page agree")
    func thisBuild() async throws {
        let root = TestPaths.packageRoot.path
        if Self.git != nil, FileManager.default.fileExists(atPath: root + "/.git") {
            let commit = try git(["rev-parse", "--short=7", "HEAD"], in: root)
            // The tree may have changed since the build (a developer's edit); the commit part may not.
            #expect(ExporterVersion.revision.hasPrefix(commit), "\(ExporterVersion.revision) vs HEAD \(commit)")
        }
        let version = try await ExporterProcess.run(["--version"])
        #expect(version.output.contains("(revision \(ExporterVersion.revision))"))
        let demo = try ExporterProcess(arguments: ["--demo", "--demo.users", "3", "--web.listen-address", "127.0.0.1:0"])
        try await withAsyncCleanup {
            let port = try await demo.listeningPort()
            let page = try await AdversarialUpstreamTests.scrape(port, "/")
            #expect(page.contains("(revision \(ExporterVersion.revision))"))
            let metrics = try await AdversarialUpstreamTests.scrape(port)
            #expect(metrics.contains("revision=\"\(ExporterVersion.revision)\""))
        } cleanup: {
            demo.process.terminate()
            _ = try? await demo.waitForExit(timeout: .seconds(10))
        }
    }
}
