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

    public init(users: Int, now: Double = Date().timeIntervalSince1970) throws {
        self.users = users
        let teams = WindsurfDatasetGenerator().demoTeams(users: users, now: now)
        self.windsurf = WindsurfSimulator(teams: teams)
        let emails = Array(Set(teams.flatMap { $0.users.map(\.normalizedEmail) })).sorted()
        let customer = GoogleDatasetGenerator().customer(emails: emails, extraUsers: max(5, users / 10), now: now)
        self.google = GoogleSimulator(customer: customer, account: try SimulatedServiceAccount(), userPageSize: 500)
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
}
