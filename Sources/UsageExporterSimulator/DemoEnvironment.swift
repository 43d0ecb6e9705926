import Foundation
import UsageExporter

/// The simulated upstreams of `--demo`, and the configuration that points the exporter at them:
/// two Windsurf teams (one billed in credits, one in ACUs; both with analytics and consumption) and one
/// Workspace customer whose users include the Windsurf users.
public final class DemoEnvironment: Sendable {
    public let windsurf: WindsurfSimulator
    public let google: GoogleSimulator
    public let users: Int
    /// Where the generated service-account key file is written.
    let directory: URL

    /// `googleClock` decides which report dates the Workspace simulator has complete (tests move it to the past).
    public init(
        users: Int,
        now: Double = Date().timeIntervalSince1970,
        googleClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) throws {
        self.users = users
        let teams = WindsurfDatasetGenerator().demoTeams(users: users, now: now, history: true)
        self.windsurf = WindsurfSimulator(teams: teams)
        let emails = Array(Set(teams.flatMap { $0.users.map(\.normalizedEmail) })).sorted()
        let customer = GoogleDatasetGenerator().customer(emails: emails, extraUsers: max(5, users / 10), now: now, history: true)
        self.google = GoogleSimulator(customer: customer, account: try SimulatedServiceAccount(), userPageSize: 500, clock: googleClock)
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("usage-exporter-demo-\(UUID().uuidString)")
    }

    /// Starts the simulators on loopback ports and returns the configuration to run the exporter with.
    public func start() async throws -> ExporterConfiguration {
        let windsurfURL = try await windsurf.start()
        let googleURL = try await google.start()
        let teams = windsurf.teams.map { team in
            WindsurfTeamConfiguration(
                name: team.name,
                baseURL: windsurfURL,
                serviceKey: Secret(team.serviceKey),
                groups: team.groups.isEmpty ? nil : team.groups,
                creditBalance: true,
                analytics: true,
                consumption: true,
                interval: .seconds(300)
            )
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let keyFile = directory.appendingPathComponent("service-account.json")
        let keyJSON = google.keyFileJSON()
        try keyJSON.write(to: keyFile, atomically: true, encoding: .utf8)
        let customer = GoogleWorkspaceCustomerConfiguration(
            name: "example.com",
            credentialsFile: keyFile.path,
            credentials: try ServiceAccountKey(json: keyJSON),
            subject: google.adminSubject,
            userReport: true,
            interval: .seconds(600),
            baseURL: googleURL
        )
        return ExporterConfiguration(windsurf: teams, googleWorkspace: [customer])
    }

    public func stop() async {
        await windsurf.stop()
        await google.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `configuration` as a configuration file, so that `usage-exporter backfill` or a second exporter can use the
    /// demo's simulators while it runs (the service-account key file lives in the demo's temporary directory).
    /// The demo's service keys are the simulators' own, not secrets.
    public static func yaml(for configuration: ExporterConfiguration) -> String {
        func quoted(_ text: String) -> String { JSONText.string(text) }
        func duration(_ value: Duration) -> String { PrometheusDuration.format(value) }
        var lines = ["# The configuration of a running `usage-exporter --demo`: its simulated upstreams on loopback."]
        lines.append("windsurf:")
        for team in configuration.windsurf {
            lines.append("  - name: \(quoted(team.name))")
            lines.append("    base_url: \(quoted(team.baseURL))")
            lines.append("    service_key: \(quoted(team.serviceKey.value))")
            if let groups = team.groups { lines.append("    groups: [\(groups.map(quoted).joined(separator: ", "))]") }
            lines.append("    active_days_window: \(duration(team.activeDaysWindow))")
            lines.append("    credit_balance: \(team.creditBalance)")
            lines.append("    analytics: \(team.analytics)")
            lines.append("    analytics_windows: [\(team.analyticsWindows.map { "\($0)d" }.joined(separator: ", "))]")
            lines.append("    analytics_interval: \(duration(team.analyticsInterval))")
            lines.append("    consumption: \(team.consumption)")
            lines.append("    consumption_interval: \(duration(team.consumptionInterval))")
            lines.append("    interval: \(duration(team.interval))")
            lines.append("    timeout: \(duration(team.timeout))")
        }
        lines.append("google_workspace:")
        for customer in configuration.googleWorkspace {
            lines.append("  - name: \(quoted(customer.name))")
            lines.append("    credentials_file: \(quoted(customer.credentialsFile))")
            lines.append("    subject: \(quoted(customer.subject))")
            lines.append("    customer_id: \(quoted(customer.customerID))")
            lines.append("    customer_parameters: [\(customer.customerParameters.map(quoted).joined(separator: ", "))]")
            lines.append("    user_report: \(customer.userReport)")
            lines.append("    user_parameters: [\(customer.userParameters.map(quoted).joined(separator: ", "))]")
            lines.append("    max_lookback_days: \(customer.maxLookbackDays)")
            lines.append("    interval: \(duration(customer.interval))")
            lines.append("    timeout: \(duration(customer.timeout))")
            lines.append("    base_url: \(quoted(customer.baseURL))")
        }
        lines.append("max_stale: \(duration(configuration.maxStale))")
        return lines.joined(separator: "\n") + "\n"
    }
}
