import Logging
import NIOCore
import Synchronization
import Testing

@testable import UsageExporter

/// The poll lifecycle with a clock the tests advance by hand: schedules, failures, staleness, reloads and
/// shutdown, checked without sleeping.
@Suite("Poll lifecycle")
struct PollLifecycleTests {
    static let start = 1_800_000_000.0

    let clock = ManualClock(now: Self.start)

    func makeService(store: MetricsStore, retryPolicy: RetryPolicy = .standard) -> CollectorService {
        var logger = Logger(label: "poll-lifecycle-test")
        logger.logLevel = .critical
        return CollectorService(
            store: store,
            client: UpstreamClient(httpClient: TestHTTPClient.shared),
            retryPolicy: retryPolicy,
            clock: clock,
            logger: logger
        )
    }

    /// The families the store would serve now, as text.
    func text(_ store: MetricsStore) -> String {
        var buffer = ByteBuffer()
        store.plan().write(into: &buffer, now: clock.now())
        return String(buffer: buffer)
    }

    func status(_ store: MetricsStore, _ source: String) -> CollectorStatus? {
        store.statuses.first { $0.source == SourceID(.windsurf, source) }?.status
    }

    /// Runs `service` while `body` runs, then cancels it and waits for it to end.
    func running<T>(_ service: CollectorService, _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    @Test("the first poll starts at once, the next one an interval (plus at most 10% jitter) later")
    func schedule() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let poller = ScriptedPoller("acme", interval: .seconds(60)) { number, _ in ScriptedPoller.families(source: "acme", value: Double(number)) }
        service.apply([poller], maxStale: .seconds(86_400))
        try await running(service) {
            try await waitUntil("the first poll is published") {
                text(store).contains("test_value{source=\"acme\",email=\"someone@example.com\"} 1\n")
            }
            try await clock.waitForSleepers(1)
            let wake = try #require(clock.sleepingUntil.first)
            #expect(wake >= Self.start + 60 && wake < Self.start + 66)
            #expect(status(store, "acme")?.nextPollTime == wake)
            #expect(status(store, "acme")?.lastSuccessTime == Self.start)
            #expect(poller.pollCount == 1)

            clock.advance(by: wake - Self.start - 0.001)
            #expect(clock.sleepingUntil == [wake])  // not yet due: the loop still sleeps
            #expect(poller.pollCount == 1)
            clock.advance(by: 0.001)
            try await waitUntil("the second poll is published") { text(store).contains("} 2\n") }
            #expect(poller.pollCount == 2)
        }
    }

    @Test("a failed poll keeps the last good data until it has been failing for max_stale; success drops nothing")
    func failureAndStaleness() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let poller = ScriptedPoller("acme", interval: .seconds(60)) { number, _ in
            guard number == 1 else { throw CollectorError(.upstream, "scripted failure \(number)") }
            return ScriptedPoller.families(source: "acme", value: 42)
        }
        service.apply([poller], maxStale: .seconds(300))
        try await running(service) {
            try await waitUntil("the first poll is published") { text(store).contains("} 42\n") }
            try await clock.waitForSleepers(1)
            clock.advance(by: 70)
            try await waitUntil("the second poll failed") { status(store, "acme")?.lastPollSucceeded == false }
            let failing = try #require(status(store, "acme"))
            #expect(failing.failingSince == Self.start + 70)
            #expect(failing.errors[.upstream] == 1)
            #expect(failing.lastError == "upstream: scripted failure 2")
            #expect(text(store).contains("} 42\n"))

            // Failing for exactly max_stale still serves the data; a moment later it is dropped.
            #expect(store.plan(now: Self.start + 370).write(now: Self.start + 370).contains("} 42\n"))
            #expect(!store.plan(now: Self.start + 370.001).write(now: Self.start + 370.001).contains("} 42\n"))
            #expect(status(store, "acme")?.lastSuccessTime == Self.start)
        }
    }

    @Test("a reload keeps unchanged loops, restarts changed ones at once, stops removed ones and drops their data")
    func reloadKeepsAndRestarts() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let answer: @Sendable (String) -> @Sendable (Int, PollContext) async throws -> [FamilySamples] = { source in
            { number, _ in ScriptedPoller.families(source: source, value: Double(number)) }
        }
        let alpha = ScriptedPoller("alpha", answer: answer("alpha"))
        let beta = ScriptedPoller("beta", answer: answer("beta"))
        service.apply([alpha, beta], maxStale: .seconds(86_400))
        try await running(service) {
            try await waitUntil("both polled") { text(store).contains("alpha") && text(store).contains("beta") }
            try await clock.waitForSleepers(2)

            let alphaAgain = ScriptedPoller("alpha", answer: answer("alpha"))
            let betaChanged = ScriptedPoller("beta", settings: 2, answer: answer("beta-changed"))
            service.apply([alphaAgain, betaChanged], maxStale: .seconds(86_400))
            try await waitUntil("beta restarted and polled at once") { text(store).contains("beta-changed") }
            #expect(alpha.pollCount == 1)  // still the first loop, sleeping
            #expect(alphaAgain.pollCount == 0)
            #expect(betaChanged.pollCount == 1)
            // beta's data was kept until its new run published.
            #expect(!text(store).contains("source=\"beta\""))

            service.apply([betaChanged], maxStale: .seconds(86_400))
            #expect(!text(store).contains("alpha"))
            #expect(store.statuses.map(\.source.source) == ["beta"])
        }
    }

    @Test("a reload that drops all data (privacy changed) restarts every source, so each polls again at once")
    func dropRestartsEverySource() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let alpha = ScriptedPoller("alpha") { number, _ in ScriptedPoller.families(source: "alpha", value: Double(number)) }
        service.apply([alpha], maxStale: .seconds(86_400))
        try await running(service) {
            try await waitUntil("the first poll") { text(store).contains("} 1\n") }
            try await clock.waitForSleepers(1)
            // The same poller (equal settings), but the privacy settings changed: the data goes, and comes back at once.
            service.apply([alpha], dropSnapshots: true, maxStale: .seconds(86_400))
            #expect(!text(store).contains("test_value"))
            try await waitUntil("polled again without waiting for the interval") { text(store).contains("} 2\n") }
        }
    }

    @Test("a reload that changes only another collector's settings keeps a Windsurf collector's loop")
    func settingsPerCollector() {
        let team = WindsurfTeamConfiguration(name: "acme", serviceKey: Secret("k"), analytics: true)
        var analyticsChanged = team
        analyticsChanged.analyticsInterval = .seconds(7200)
        analyticsChanged.analyticsWindows = [1]
        var userPageChanged = team
        userPageChanged.interval = .seconds(60)
        let builder = WindsurfSnapshotBuilder(team: "acme")
        let analyticsBuilder = WindsurfAnalyticsSnapshotBuilder(team: "acme")
        let userPage = WindsurfPoller(team: team, report: .userPage, builder: builder)
        #expect(userPage.hasSameSettings(as: WindsurfPoller(team: analyticsChanged, report: .userPage, builder: builder)))
        #expect(!userPage.hasSameSettings(as: WindsurfPoller(team: userPageChanged, report: .userPage, builder: builder)))
        let analytics = WindsurfAnalyticsPoller(team: team, builder: analyticsBuilder)
        #expect(analytics.hasSameSettings(as: WindsurfAnalyticsPoller(team: userPageChanged, builder: analyticsBuilder)))
        #expect(!analytics.hasSameSettings(as: WindsurfAnalyticsPoller(team: analyticsChanged, builder: analyticsBuilder)))
        // The credit balance reads neither the groups nor the active-days window.
        var groupsChanged = team
        groupsChanged.groups = ["platform"]
        groupsChanged.activeDaysWindow = .seconds(7 * 86_400)
        let balance = WindsurfPoller(team: team, report: .creditBalance, builder: builder)
        #expect(balance.hasSameSettings(as: WindsurfPoller(team: groupsChanged, report: .creditBalance, builder: builder)))
        #expect(!balance.hasSameSettings(as: WindsurfPoller(team: userPageChanged, report: .creditBalance, builder: builder)))
        #expect(!userPage.hasSameSettings(as: WindsurfPoller(team: groupsChanged, report: .userPage, builder: builder)))
        #expect(!analytics.hasSameSettings(as: WindsurfAnalyticsPoller(team: groupsChanged, builder: analyticsBuilder)))
    }

    @Test("a poll that finishes after its run was superseded never publishes (reload turning on pseudonymization)")
    func supersededPollCannotPublish() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let late = Gate()
        let plain = ScriptedPoller("acme") { number, _ in
            if number == 2 { await late.waitIgnoringCancellation() }
            return ScriptedPoller.families(source: "acme", email: "plain@example.com", value: Double(number))
        }
        service.apply([plain], maxStale: .seconds(86_400))
        try await running(service) {
            try await waitUntil("the first plain poll") { text(store).contains("plain@example.com") }
            try await clock.waitForSleepers(1)
            clock.advance(by: 70)
            try await waitUntil("the second poll is in flight") { late.waitingCount == 1 }

            let pseudonymized = ScriptedPoller("acme", settings: 2) { _, _ in
                ScriptedPoller.families(source: "acme", email: "3f2a9c0d1b4e5f60", value: 7)
            }
            service.apply([pseudonymized], dropSnapshots: true, maxStale: .seconds(86_400))
            #expect(!text(store).contains("plain@example.com"))  // dropped in the same step
            try await waitUntil("the new run published") { text(store).contains("3f2a9c0d1b4e5f60") }

            late.open()  // the old poll now finishes and tries to publish its plain addresses
            try await waitUntil("the old poll returned") { late.waitingCount == 0 && plain.finishedCount == 2 }
            for _ in 0..<20 {
                await Task.yield()
                #expect(!text(store).contains("plain@example.com"))
            }
            #expect(status(store, "acme")?.lastPollSucceeded == true)
        }
    }

    @Test("the store accepts data only from the current run of a source")
    func storeChecksRuns() {
        let store = MetricsStore(clock: clock)
        let source = SourceID(.windsurf, "acme")
        let first = PollRun(source: source, generation: 1)
        let second = PollRun(source: source, generation: 2)
        store.install(runs: [first], maxStale: .seconds(60))
        #expect(
            store.publish(
                SourceSnapshot(families: ScriptedPoller.families(source: "acme", value: 1), completedAt: Self.start),
                for: first,
                duration: 0.5
            )
        )
        #expect(text(store).contains("} 1\n"))

        store.install(runs: [second], maxStale: .seconds(60))
        #expect(text(store).contains("} 1\n"))  // a restart keeps the data...
        #expect(
            !store.publish(
                SourceSnapshot(families: ScriptedPoller.families(source: "acme", value: 2), completedAt: Self.start),
                for: first,
                duration: 0.5
            )
        )
        store.recordFailure(CollectorError(.auth, "late failure of the old run"), for: first, at: Self.start, duration: 1)
        store.recordNextPoll(at: Self.start + 1000, for: first)
        #expect(status(store, "acme")?.lastPollSucceeded == true)
        #expect(status(store, "acme")?.nextPollTime == nil)
        #expect(text(store).contains("} 1\n"))  // ...and the old run changes nothing

        store.install(runs: [second], maxStale: .seconds(60), dropSnapshots: true)
        #expect(!text(store).contains("test_value"))
        #expect(
            store.publish(
                SourceSnapshot(families: ScriptedPoller.families(source: "acme", value: 3), completedAt: Self.start),
                for: second,
                duration: 0.5
            )
        )
        #expect(text(store).contains("} 3\n"))
        // Requests of any run of a configured source are counted: they were sent.
        store.recordRequest("200", for: source)
        #expect(status(store, "acme")?.requests == ["200": 1])
    }

    @Test("shutdown cancels a poll in flight at once and records no failure for it")
    func cancellationEndsPolls() async throws {
        let store = MetricsStore(clock: clock)
        let service = makeService(store: store)
        let never = Gate()
        let poller = ScriptedPoller("acme") { _, _ in
            try await never.wait()
            return []
        }
        service.apply([poller], maxStale: .seconds(60))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await service.run() }
            try await waitUntil("the poll is in flight") { never.waitingCount == 1 }
            group.cancelAll()
            try await group.waitForAll()
        }
        #expect(never.waitingCount == 0)
        #expect(status(store, "acme")?.lastPollSucceeded == nil)
        #expect(status(store, "acme")?.errors.isEmpty == true)
    }
}

extension ExpositionPlan {
    /// The plan's text at `now`.
    func write(now: Double) -> String {
        var buffer = ByteBuffer()
        write(into: &buffer, now: now)
        return String(buffer: buffer)
    }
}
