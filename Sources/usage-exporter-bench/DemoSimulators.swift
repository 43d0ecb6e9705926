import Foundation
import UsageExporter
import UsageExporterSimulator

/// `usage-exporter-bench simulators N DIRECTORY`: serves the demo's simulated upstreams for N users on
/// loopback, in this process only, and writes `DIRECTORY/usage-exporter.yml`, the configuration `--demo`
/// would run with, for `usage-exporter --config.file` to poll them from its own process. The service keys
/// go to files beside it. Runs until SIGTERM or SIGINT.
///
/// `scripts/bench` measures the exporter this way, so that its memory and CPU figures are its own and not
/// the simulators' (which hold every simulated user and build answers of several megabytes).
enum DemoSimulators {
    static func run(users: Int, directory: String) async throws {
        let demo = try DemoEnvironment(users: users)
        let configuration = try await demo.start()
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let yaml = try configurationYAML(configuration, directory: folder)
        // Atomically (a temporary file renamed), so that a reader never sees half a file.
        let path = folder.appendingPathComponent("usage-exporter.yml")
        try Data(yaml.utf8).write(to: path, options: .atomic)
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

    /// The configuration file equivalent to `configuration`: every setting the demo makes, spelled as
    /// SPEC.md's keys, secrets in files.
    static func configurationYAML(_ configuration: ExporterConfiguration, directory: URL) throws -> String {
        func quoted(_ text: String) -> String { JSONStringLiteral.encode(text) }
        func duration(_ value: Duration) -> String { PrometheusDuration.format(value) }
        var lines = ["windsurf:"]
        for team in configuration.windsurf {
            let keyFile = directory.appendingPathComponent("windsurf-\(team.name).key")
            try Data(team.serviceKey.value.utf8).write(to: keyFile)
            lines += [
                "  - name: \(quoted(team.name))",
                "    base_url: \(quoted(team.baseURL))",
                "    service_key_file: \(quoted(keyFile.path))",
                "    active_days_window: \(duration(team.activeDaysWindow))",
                "    credit_balance: \(team.creditBalance)",
                "    analytics: \(team.analytics)",
                "    analytics_windows: [\(team.analyticsWindows.map { "\($0)d" }.joined(separator: ", "))]",
                "    analytics_interval: \(duration(team.analyticsInterval))",
                "    interval: \(duration(team.interval))",
                "    timeout: \(duration(team.timeout))",
            ]
            if let groups = team.groups { lines.append("    groups: [\(groups.map(quoted).joined(separator: ", "))]") }
        }
        lines.append("google_workspace:")
        for customer in configuration.googleWorkspace {
            lines += [
                "  - name: \(quoted(customer.name))",
                "    credentials_file: \(quoted(customer.credentialsFile))",
                "    subject: \(quoted(customer.subject))",
                "    customer_id: \(quoted(customer.customerID))",
                "    customer_parameters: [\(customer.customerParameters.map(quoted).joined(separator: ", "))]",
                "    user_report: \(customer.userReport)",
                "    user_parameters: [\(customer.userParameters.map(quoted).joined(separator: ", "))]",
                "    max_lookback_days: \(customer.maxLookbackDays)",
                "    interval: \(duration(customer.interval))",
                "    timeout: \(duration(customer.timeout))",
                "    base_url: \(quoted(customer.baseURL))",
            ]
        }
        lines.append("max_stale: \(duration(configuration.maxStale))")
        return lines.joined(separator: "\n") + "\n"
    }
}
