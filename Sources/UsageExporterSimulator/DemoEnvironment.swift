import Foundation
import UsageExporter

/// The simulated upstreams of `--demo`, and the configuration that points the exporter at them.
public final class DemoEnvironment: Sendable {
    public let windsurf: WindsurfSimulator
    public let users: Int

    public init(users: Int, now: Double = Date().timeIntervalSince1970) {
        self.users = users
        self.windsurf = WindsurfSimulator(teams: WindsurfDatasetGenerator().demoTeams(users: users, now: now))
    }

    /// Starts the simulators on loopback ports and returns the configuration to run the exporter with.
    public func start() async throws -> ExporterConfiguration {
        let windsurfURL = try await windsurf.start()
        let teams = windsurf.teams.map { team in
            WindsurfTeamConfiguration(
                name: team.name, baseURL: windsurfURL, serviceKey: Secret(team.serviceKey),
                groups: team.groups.isEmpty ? nil : team.groups, creditBalance: true, interval: .seconds(300))
        }
        return ExporterConfiguration(windsurf: teams)
    }

    public func stop() async {
        await windsurf.stop()
    }
}
