import Crypto
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

@Suite("Privacy and staleness", .serialized)
struct PrivacyAndStalenessTests {
    /// Windsurf and Google simulators over the same users, and an exporter with `privacy` and `maxStale`.
    static func start(
        privacy: PrivacyConfiguration,
        maxStale: Duration = .seconds(86_400),
        interval: Duration = .seconds(60)
    ) async throws -> ExporterHarness {
        let now = Date().timeIntervalSince1970
        let teams = WindsurfDatasetGenerator(seed: 11).demoTeams(users: 20, now: now)
        let windsurf = WindsurfSimulator(teams: teams)
        let windsurfURL = try await windsurf.start()
        let emails = teams.flatMap { $0.users.map(\.normalizedEmail) }
        let google = GoogleSimulator(customer: GoogleDatasetGenerator().customer(emails: emails, extraUsers: 2, now: now), account: TestKeys.account)
        let googleURL = try await google.start()
        let customer = GoogleWorkspaceCustomerConfiguration(
            name: "example.com",
            credentialsFile: "/dev/null",
            credentials: try ServiceAccountKey(json: google.keyFileJSON()),
            subject: google.adminSubject,
            userReport: true,
            interval: interval,
            baseURL: googleURL
        )
        let configuration = ExporterConfiguration(
            windsurf: ExporterHarness.teamConfigurations(teams, baseURL: windsurfURL, interval: interval),
            googleWorkspace: [customer],
            privacy: privacy,
            maxStale: maxStale
        )
        return try await ExporterHarness.start(windsurf: windsurf, google: google, configuration: configuration)
    }

    @Test("pseudonymized emails: no address or name in the output, the same pseudonym on both sources, so joins still work")
    func pseudonymized() async throws {
        let harness = try await Self.start(privacy: PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("pepper")))
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let body = try await harness.request("/metrics").body
            #expect(!body.contains("@"))
            let metrics = ParsedExposition(body)
            #expect(!metrics.samples.contains { $0.labels["name"] != nil })
            let windsurfEmails = Set(metrics.samples("windsurf_user_info").compactMap { $0.labels["email"] })
            let googleEmails = Set(metrics.samples("google_workspace_user_accounts_is_suspended").compactMap { $0.labels["email"] })
            #expect(windsurfEmails.count > 10)
            #expect(windsurfEmails.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
            #expect(windsurfEmails.isSubset(of: googleEmails))
            // The pseudonym is HMAC-SHA256(salt, lower-cased trimmed address), first 16 hex characters.
            let user = harness.simulator.teams[0].users[3]
            let expected = HMAC<SHA256>.authenticationCode(for: Data(user.normalizedEmail.utf8), using: SymmetricKey(data: Data("pepper".utf8)))
                .prefix(8).map { String(format: "%02x", $0) }.joined()
            #expect(windsurfEmails.contains(expected))
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a reload drops the data only when users would be exported differently: a salt edited while not pseudonymizing changes nothing")
    func effectivePrivacyChange() {
        let plain = PrivacyConfiguration()
        #expect(plain.exportsUsersTheSame(as: PrivacyConfiguration(salt: Secret("unused"))))
        #expect(!plain.exportsUsersTheSame(as: PrivacyConfiguration(perUser: false)))
        let salted = PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("pepper"))
        #expect(!plain.exportsUsersTheSame(as: salted))
        #expect(salted.exportsUsersTheSame(as: PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("pepper"))))
        #expect(!salted.exportsUsersTheSame(as: PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("salt"))))
    }

    @Test("per_user: false keeps only team and customer aggregates")
    func aggregatesOnly() async throws {
        let harness = try await Self.start(privacy: PrivacyConfiguration(perUser: false))
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let metrics = try await harness.metrics()
            #expect(!metrics.samples.contains { $0.labels["email"] != nil })
            #expect(!metrics.samples.contains { $0.labels["name"] != nil })
            #expect(metrics.samples("windsurf_users").count > 0)
            #expect(metrics.samples("windsurf_prompt_credits_used").count == 3)
            #expect(metrics.value("google_workspace_accounts_num_users", ["customer": "example.com"]) != nil)
            #expect(metrics.value("google_workspace_usage_report_date_timestamp_seconds", ["report": "user"]) != nil)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a source failing longer than max_stale has its series dropped; its self-metrics and other sources stay")
    func staleSourceVanishes() async throws {
        let harness = try await Self.start(privacy: PrivacyConfiguration(), maxStale: .seconds(1), interval: .milliseconds(200))
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            #expect(try await harness.metrics().samples("windsurf_user_info").count > 0)
            harness.simulator.inject(.serverError(status: 500), on: .userPageAnalytics)
            let failing = try await harness.waitForMetrics("failing, data kept") { $0.success("windsurf", "acme") == 0 }
            #expect(failing.samples("windsurf_user_info").count > 0)
            let stale = try await harness.waitForMetrics("stale data dropped") { $0.samples("windsurf_user_info").isEmpty }
            #expect(stale.samples("windsurf_users").isEmpty)
            #expect(stale.success("windsurf", "acme") == 0)
            #expect(stale.errors("windsurf", "acme", "upstream") >= 1)
            #expect(stale.value("windsurf_team_seats", ["team": "acme"]) != nil)  // the credit balance collector still works
            #expect(stale.value("google_workspace_accounts_num_users", ["customer": "example.com"]) != nil)
            harness.simulator.clearFaults()
            try await harness.waitForMetrics("back after recovery") { $0.samples("windsurf_user_info").count > 0 }
        } cleanup: {
            await harness.stop()
        }
    }
}
