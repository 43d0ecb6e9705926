import Foundation
import UsageExporter
import UsageExporterSimulator

/// `usage-exporter-bench simulators N DIRECTORY`: serves the demo's simulated upstreams for N users on
/// loopback, in this process only, and writes `DIRECTORY/usage-exporter.yml`, the configuration `--demo`
/// would run with (``DemoEnvironment/yaml(for:)``, as `--demo.write-config` writes it), for
/// `usage-exporter --config.file` to poll them from its own process. Runs until SIGTERM or SIGINT.
///
/// `scripts/bench` measures the exporter this way, so that its memory and CPU figures are its own and not
/// the simulators' (which hold every simulated user and build answers of several megabytes).
enum DemoSimulators {
    static func run(users: Int, directory: String) async throws {
        let demo = try DemoEnvironment(users: users)
        let configuration = try await demo.start()
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        // Atomically (a temporary file renamed), so that a reader never sees half a file.
        let path = folder.appendingPathComponent("usage-exporter.yml")
        try Data(DemoEnvironment.yaml(for: configuration).utf8).write(to: path, options: .atomic)
        let line = "simulators for \(users) users: \(demo.windsurf.baseURL) \(demo.google.baseURL); configuration \(path.path)\n"
        FileHandle.standardError.write(Data(line.utf8))

        let stop = AsyncStream<Int32>.makeStream()
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { stop.continuation.yield(signalNumber) }
            source.resume()
            return source
        }
        for await _ in stop.stream { break }
        for source in sources { source.cancel() }
        await demo.stop()
    }
}
