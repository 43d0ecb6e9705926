import AsyncHTTPClient
import Foundation
import Logging
import Testing
import UsageExporterSimulator

@testable import UsageExporter

/// The simulators' past, which `--demo` users backfill: every date answers by itself and the same each time, with
/// a user who joins, one who leaves, a date without data, and Google's 450 days.
@Suite("Simulator history")
struct SimulatorHistoryTests {
    static let now = Date().timeIntervalSince1970
    static let customer = GoogleDatasetGenerator(seed: 3).customer(
        emails: ["a@example.com", "b@example.com"],
        extraUsers: 4,
        now: now,
        history: true
    )

    @Test("Workspace: the joiner is in the per-user report from their date, the leaver until theirs; num_users counts that date's users")
    func workspaceUsers() throws {
        let history = try #require(Self.customer.history)
        let joiner = try #require(history.joiner)
        let leaver = try #require(history.leaver)
        let emails = { (day: Int) in Set(Self.customer.users(on: day).map(\.email)) }
        #expect(!emails(joiner.day - 1).contains(joiner.email) && emails(joiner.day).contains(joiner.email))
        #expect(emails(leaver.day - 1).contains(leaver.user.email) && !emails(leaver.day).contains(leaver.user.email))
        for day in [leaver.day - 1, joiner.day - 1, history.anchorDay - 1] {
            let users = Self.customer.parameters(on: day).first { $0.name == "accounts:num_users" }
            guard case .int(let count)? = users?.value else {
                Issue.record("no accounts:num_users")
                continue
            }
            #expect(Int(count) == Self.customer.users(on: day).count)
        }
    }

    @Test("Workspace: values differ between dates and are the same whenever a date is asked; last-activity times are never after the date")
    func workspaceValues() throws {
        let history = try #require(Self.customer.history)
        let day = history.anchorDay - 30
        func ints(_ day: Int) -> [Int64] {
            Self.customer.parameters(on: day).compactMap { if case .int(let value) = $0.value { value } else { nil } }
        }
        #expect(ints(day) == ints(day))
        #expect(ints(day) != ints(day - 1))
        for user in Self.customer.users(on: day) {
            for parameter in Self.customer.parameters(of: user, on: day) {
                guard case .datetime(let time) = parameter.value else { continue }
                #expect(time.wholeSeconds < Int64(day + 1) * 86_400 + 8 * 3_600, "\(user.email) \(parameter.name)")
            }
        }
    }

    @Test("Workspace over HTTP: the lost date warns DATA_NOT_AVAILABLE for every application; a date past the 450 days is refused")
    func workspaceOverHTTP() async throws {
        let simulator = GoogleSimulator(customer: Self.customer, account: TestKeys.account)
        let baseURL = try await simulator.start()
        let httpClient = UpstreamClient.makeHTTPClient()
        try await withAsyncCleanup {
            let keyJSON = simulator.keyFileJSON()
            let customer = GoogleWorkspaceCustomerConfiguration(
                name: "example.com",
                credentialsFile: "key.json",
                credentials: try ServiceAccountKey(json: keyJSON),
                subject: simulator.adminSubject,
                baseURL: baseURL
            )
            let api = GoogleReportsAPI(
                customer: customer,
                tokens: GoogleAccessTokenProvider(key: customer.credentials, subject: customer.subject, timeout: .seconds(5))
            )
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let context = PollContext(
                client: UpstreamClient(httpClient: httpClient),
                retryPolicy: RetryPolicy(maximumAttempts: 1),
                logger: logger,
                recordRequest: { _ in }
            )
            let history = try #require(Self.customer.history)
            var requested = GoogleRequestedParameters(configured: [])
            let missing = try await api.allPages(.customer, day: try #require(history.missingDay), requested: &requested, context: context)
            guard case .available(let reports, let warnings) = missing else {
                Issue.record("the lost date answered \(missing)")
                return
            }
            #expect(reports.allSatisfy { $0.parameters.isEmpty })
            #expect(Set(warnings.map(\.code)) == ["DATA_NOT_AVAILABLE"])
            #expect(Set(warnings.flatMap(\.applications)) == ["accounts", "calendar", "drive", "gmail", "meet"])
            let today = GoogleSimulator.pacificDay(Self.now)
            let oldest = try await api.allPages(.customer, day: today - 450, requested: &requested, context: context)
            guard case .available(let old, _) = oldest else {
                Issue.record("the 450th day answered \(oldest)")
                return
            }
            #expect(!old.isEmpty)
            await #expect {
                _ = try await api.allPages(.customer, day: today - 451, requested: &requested, context: context)
            } throws: { error in
                (error as? CollectorError)?.reason == .config
                    && "\(error)".contains("Start date can not be earlier than \(GoogleReportDate.format(today - 450))")
            }
        } cleanup: {
            try? await httpClient.shutdown()
            await simulator.stop()
        }
    }

    @Test("Windsurf: the demo's analytics go back 180 days, the lost day has no rows, and the joiner's rows start at their sign-up")
    func windsurfAnalytics() throws {
        let teams = WindsurfDatasetGenerator(seed: 5).demoTeams(users: 40, now: Self.now, history: true)
        let acme = try #require(teams.first)
        let analytics = acme.analytics
        let today = Int(Self.now / 86_400)
        #expect(analytics.firstDay == today - 180)
        let lost = today - 20
        #expect(analytics.autocomplete.allSatisfy { $0.day != lost } && analytics.cascade.allSatisfy { $0.day != lost })
        #expect(analytics.codeWritten.allSatisfy { $0.day != lost })
        #expect(analytics.autocomplete.contains { $0.day == lost - 1 } && analytics.autocomplete.contains { $0.day == lost + 1 })
        let joiner = acme.users[8]
        let signup = try #require(joiner.signupTime).wholeSeconds / 86_400
        #expect(signup == Int64(today - 10))
        let member = try #require(analytics.members.firstIndex { $0.email == joiner.normalizedEmail })
        let days = analytics.autocomplete.filter { $0.member == member }.map(\.day)
        #expect(!days.isEmpty && days.allSatisfy { Int64($0) >= signup })
        // Without history the data is as before: 90 days.
        #expect(WindsurfDatasetGenerator(seed: 5).demoTeams(users: 40, now: Self.now)[0].analytics.firstDay == today - 90)
    }
}
