import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Testing
import UsageExporterSimulator

@testable import UsageExporter

/// `usage-exporter backfill` against the demo's simulators over real HTTP: what it writes at an instant is what
/// the live collectors serve at that instant, it asks for each answer once, resumes after a failure, retries as
/// the collectors do, and shows the demo's past (a user who joins, one who leaves, a date without data).
@Suite("Backfill against the simulators", .serialized, .awayFromDayBoundaries)
struct BackfillIntegrationTests {
    /// The time the Workspace simulator answers as at (nil: the real time).
    final class GoogleClock: Sendable {
        private let time = Mutex<Double?>(nil)
        func set(_ time: Double?) { self.time.withLock { $0 = time } }
        func now() -> Double { time.withLock { $0 } ?? Date().timeIntervalSince1970 }
    }

    /// The demo's simulators, the Workspace simulator on a clock the test moves.
    struct Upstreams: Sendable {
        let demo: DemoEnvironment
        let configuration: ExporterConfiguration
        let googleClock: GoogleClock

        static func start(users: Int = 30) async throws -> Upstreams {
            let clock = GoogleClock()
            let demo = try DemoEnvironment(users: users, googleClock: { clock.now() })
            return Upstreams(demo: demo, configuration: try await demo.start(), googleClock: clock)
        }

        func stop() async { await demo.stop() }
    }

    static let fastRetries = RetryPolicy(maximumAttempts: 5, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))

    static var logger: Logger {
        var logger = Logger(label: "backfill-test")
        logger.logLevel = .critical
        return logger
    }

    static func backfill(
        _ configuration: ExporterConfiguration,
        days: Int,
        step: Int = 300,
        output: String,
        perUser: Bool = true,
        labels: [BackfillLabel] = [],
        dryRun: Bool = false,
        googleLag: Int? = nil
    ) async throws -> Backfill.Summary {
        let end = Int(Date().timeIntervalSince1970) / step * step
        let options = BackfillOptions(
            start: end - days * 86_400,
            end: end,
            step: step,
            labels: labels,
            perUser: perUser,
            outputDirectory: output,
            dryRun: dryRun,
            googleLag: googleLag
        )
        return try await Backfill(configuration: configuration, options: options, logger: logger, retryPolicy: fastRetries).run()
    }

    /// The `series value` lines of the window files at each of `instants`.
    static func samples(in directory: String, at instants: Set<Int>) throws -> [Int: Set<String>] {
        var samples: [Int: Set<String>] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasSuffix(".om") {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
            #expect(text.hasSuffix("\n# EOF\n"), "\(name) ends with # EOF")
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                guard let space = line.lastIndex(of: " "), let instant = Int(line[line.index(after: space)...]), instants.contains(instant) else {
                    continue
                }
                samples[instant, default: []].insert(String(line[..<space]))
            }
        }
        return samples
    }

    /// Series (`name{labels}`) of a window file set, with the instants each has a sample at.
    static func instants(of prefix: String, in directory: String) throws -> [Int] {
        var instants: [Int] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory).sorted() where name.hasSuffix(".om") {
            let text = try String(contentsOfFile: (directory as NSString).appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
                if let space = line.lastIndex(of: " "), let instant = Int(line[line.index(after: space)...]) { instants.append(instant) }
            }
        }
        return instants
    }

    /// A clock that says it is `time`; waits are real.
    struct FixedClock: ExporterClock {
        let time: Double
        func now() -> Double { time }
        func sleep(until deadline: Double) async throws { try await Task.sleep(for: .seconds(clamping: deadline - time)) }
    }

    /// What the live collectors of every backfilled source serve at `time`: their families' lines.
    static func live(
        _ configuration: ExporterConfiguration,
        at time: Double,
        tokens: GoogleAccessTokenProvider,
        client: UpstreamClient
    ) async throws
        -> Set<String>
    {
        let labeler = EmailLabeler(privacy: configuration.privacy)
        var pollers: [any SourcePoller] = configuration.windsurf.filter(\.analytics).map { team in
            WindsurfAnalyticsPoller(team: team, builder: WindsurfAnalyticsSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: true))
        }
        for customer in configuration.googleWorkspace {
            for report in [GoogleReportsAPI.Report.customer, .users] {
                pollers.append(GoogleReportPoller(customer: customer, report: report, tokens: tokens, emailLabeler: labeler, perUser: true))
            }
        }
        var lines: Set<String> = []
        for poller in pollers {
            let context = PollContext(
                client: client,
                retryPolicy: fastRetries,
                clock: FixedClock(time: time),
                logger: logger,
                recordRequest: { _ in }
            )
            for samples in try await poller.poll(context) {
                guard case .fixed(let fixed) = samples.body else { continue }
                lines.formUnion(String(buffer: fixed.bytes).split(separator: "\n").map(String.init))
            }
        }
        return lines
    }

    @Test("at any instant the files hold exactly what the live collectors serve at that instant (a property over random and edge instants)")
    func backfillEqualsLive() async throws {
        let upstreams = try await Upstreams.start(users: 16)
        let output = TemporaryDirectory()
        let httpClient = UpstreamClient.makeHTTPClient()
        try await withAsyncCleanup {
            let summary = try await Self.backfill(upstreams.configuration, days: 10, output: output.path)
            let first = try #require(RFC3339Timestamp.parse(summary.manifest.start)).rounded()
            let last = try #require(RFC3339Timestamp.parse(summary.manifest.end)).rounded()
            // Random grid instants, and the instants around each day's changes: 00:00 UTC (the analytics windows)
            // and 08:00 UTC (a US Pacific date starts: with whole-day lags, when a report date becomes available).
            var generator = SeededGenerator(seed: 2026)
            var instants: Set<Int> = []
            while instants.count < 10 {
                instants.insert(Int.random(in: Int(first)...Int(last), using: &generator) / 300 * 300)
            }
            let today = Int(last) / 86_400 * 86_400
            for daysAgo in [2, 5, 8] {
                for instant in [today - daysAgo * 86_400, today - daysAgo * 86_400 + 8 * 3_600] {
                    instants.insert(instant)
                    instants.insert(instant - 300)
                }
            }
            instants.insert(Int(last))
            let files = try Self.samples(in: output.path, at: instants)
            let customer = try #require(upstreams.configuration.googleWorkspace.first)
            let tokens = GoogleAccessTokenProvider(key: customer.credentials, subject: customer.subject, timeout: customer.timeout)
            let client = UpstreamClient(httpClient: httpClient)
            // A token issued now stays cached for the polls "in the past" (the simulator checks a token's iat against its real time).
            _ = try await tokens.token(client: client, now: Date().timeIntervalSince1970, record: { _ in })
            for instant in instants.sorted() {
                upstreams.googleClock.set(Double(instant))
                let live = try await Self.live(upstreams.configuration, at: Double(instant), tokens: tokens, client: client)
                let written = files[instant] ?? []
                #expect(!live.isEmpty)
                #expect(
                    written.symmetricDifference(live).isEmpty,
                    "at \(RFC3339Timestamp.format(Double(instant))): \(written.subtracting(live).sorted().prefix(3)) written only, \(live.subtracting(written).sorted().prefix(3)) live only"
                )
            }
        } cleanup: {
            upstreams.googleClock.set(nil)
            try? await httpClient.shutdown()
            await upstreams.stop()
        }
    }

    @Test("a second run asks the upstream for nothing it has and writes byte-identical files; the manifest counts them")
    func secondRunChangesNothing() async throws {
        let upstreams = try await Upstreams.start(users: 12)
        let output = TemporaryDirectory()
        try await withAsyncCleanup {
            let labels = [BackfillLabel(name: "job", value: "usage-exporter"), BackfillLabel(name: "instance", value: "127.0.0.1:9834")]
            let first = try await Self.backfill(upstreams.configuration, days: 8, step: 900, output: output.path, labels: labels)
            let files = try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".om") }.sorted()
            #expect(files == first.manifest.windows.compactMap(\.file).sorted() && !files.isEmpty)
            #expect(first.manifest.samples == first.manifest.windows.reduce(0) { $0 + $1.samples } && first.manifest.samples > 0)
            #expect(
                first.manifest.sources.map(\.collector) == [
                    "windsurf_analytics", "windsurf_analytics", "google_workspace_customer", "google_workspace_user",
                ]
            )
            func contents() throws -> [Data] {
                try (files + ["manifest.json"]).map {
                    try Data(contentsOf: URL(fileURLWithPath: (output.path as NSString).appendingPathComponent($0)))
                }
            }
            let before = try contents()
            let analyticsBefore = upstreams.demo.windsurf.receivedRequests.filter { $0.endpoint == .cascadeAnalytics || $0.endpoint == .analytics }
                .count
            let googleBefore = upstreams.demo.google.receivedRequests.filter { $0.path.contains("/usage/") }.count
            let second = try await Self.backfill(upstreams.configuration, days: 8, step: 900, output: output.path, labels: labels)
            #expect(try contents() == before)
            #expect(second.manifest == first.manifest)
            #expect(second.answersFromCache == first.manifest.sources.reduce(0) { $0 + $1.answered + $1.incomplete.count })
            // Only the live walk that observes the Google lag asks again (and the user page for the api_key join).
            #expect(
                upstreams.demo.windsurf.receivedRequests.filter { $0.endpoint == .cascadeAnalytics || $0.endpoint == .analytics }.count
                    == analyticsBefore
            )
            let walk = upstreams.demo.google.receivedRequests.filter { $0.path.contains("/usage/") }.count - googleBefore
            #expect(walk > 0 && walk < 20)
            // The target labels are on every sample.
            let text = try String(contentsOfFile: (output.path as NSString).appendingPathComponent(files[0]), encoding: .utf8)
            #expect(
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.allSatisfy {
                    $0.contains("job=\"usage-exporter\",instance=\"127.0.0.1:9834\"}")
                }
            )
        } cleanup: {
            await upstreams.stop()
        }
    }

    @Test("an upstream that refuses fails the run with the source and date named, writes no window file, and the next run resumes from the cache")
    func resumeAfterFailure() async throws {
        let upstreams = try await Upstreams.start(users: 12)
        let output = TemporaryDirectory()
        try await withAsyncCleanup {
            upstreams.demo.windsurf.inject(.unauthorized, on: .cascadeAnalytics)
            await #expect {
                _ = try await Self.backfill(upstreams.configuration, days: 6, output: output.path)
            } throws: { error in
                guard case .upstream(let source, let date, let cause) = error as? BackfillError else { return false }
                return source.collector == .windsurfAnalytics && date != nil && cause.reason == .auth
                    && "\(error)".contains("run the same command again to resume")
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: output.path)
            #expect(!left.contains { $0.hasSuffix(".om") || $0 == "manifest.json" || $0.hasSuffix(".tmp") })
            upstreams.demo.windsurf.clearFaults()
            let resumed = try await Self.backfill(upstreams.configuration, days: 6, output: output.path)
            #expect(resumed.answersFromCache > 0)
            #expect(!resumed.manifest.windows.isEmpty)
        } cleanup: {
            await upstreams.stop()
        }
    }

    @Test("429 with Retry-After and 503 are retried as the live collectors retry them; malformed JSON stops the run with reason decode")
    func retries() async throws {
        let upstreams = try await Upstreams.start(users: 8)
        let output = TemporaryDirectory()
        var configuration = upstreams.configuration
        configuration.windsurf = []
        try await withAsyncCleanup {
            upstreams.demo.google.inject(.tooManyRequests(retryAfter: "1"), on: .customer, count: 2)
            upstreams.demo.google.inject(.unavailable, on: .customer, count: 1)
            let summary = try await Self.backfill(configuration, days: 3, output: output.path, perUser: false)
            #expect(summary.manifest.sources.first?.unanswered == [])
            #expect(summary.manifest.samples > 0)
            upstreams.demo.google.inject(.malformed, on: .customer)
            let fresh = TemporaryDirectory()
            await #expect {
                _ = try await Self.backfill(configuration, days: 3, output: fresh.path, perUser: false)
            } throws: { error in
                guard case .lagNotObserved(_, let cause) = error as? BackfillError else { return false }
                return cause.reason == .decode && "\(error)".contains("--backfill.google-lag")
            }
        } cleanup: {
            await upstreams.stop()
        }
    }

    @Test("a Retry-After is a promise over the run's concurrent requests: no report date of the source is asked for before it ends")
    func retryAfterHoldsBackEveryDate() async throws {
        let upstreams = try await Upstreams.start(users: 4)
        let output = TemporaryDirectory()
        var configuration = upstreams.configuration
        configuration.windsurf = []
        try await withAsyncCleanup {
            upstreams.demo.google.inject(.tooManyRequests(retryAfter: "2"), on: .customer, count: 1)
            // A given lag: no live walk, so the first requests are the dates, four at a time.
            let summary = try await Self.backfill(
                configuration,
                days: 200,
                step: 3_600,
                output: output.path,
                perUser: false,
                dryRun: true,
                googleLag: 2 * 86_400
            )
            #expect(summary.manifest.sources.first?.unanswered == [] && summary.manifest.samples > 0)
            let requests = upstreams.demo.google.receivedRequests.filter { $0.path.contains("/usage/dates/") }
            let refused = try #require(requests.first { $0.fault != nil })
            let held = requests.filter {
                let after = $0.receivedAt.timeIntervalSince(refused.receivedAt)
                return after > 0.3 && after < 1.8
            }
            #expect(held.count == 0, "requests within the 2 s the upstream asked for")
            #expect(requests.contains { $0.receivedAt.timeIntervalSince(refused.receivedAt) >= 1.9 })
        } cleanup: {
            await upstreams.stop()
        }
    }

    @Test(
        "the demo's past: the joining user appears and the leaving one vanishes when their dates become available; the lost date keeps the day before"
    )
    func demoHistory() async throws {
        let upstreams = try await Upstreams.start(users: 10)
        let output = TemporaryDirectory()
        try await withAsyncCleanup {
            // Hourly: the dates become available at 08:00 UTC, on the grid.
            _ = try await Self.backfill(upstreams.configuration, days: 26, step: 3_600, output: output.path)
            let history = try #require(upstreams.demo.google.customer.history)
            let joiner = try #require(history.joiner)
            let leaver = try #require(history.leaver)
            // The per-user report's lag is 4 days: date D is served from 00:00 UTC−8 of D + 4.
            func available(_ day: Int, lag: Int) -> Int { (day + lag) * 86_400 + 8 * 3_600 }
            let joined = try Self.instants(
                of: "google_workspace_user_accounts_is_suspended{customer=\"example.com\",email=\"\(joiner.email)\"}",
                in: output.path
            )
            #expect(joined.min() == available(joiner.day, lag: 4))
            let left = try Self.instants(
                of: "google_workspace_user_accounts_is_suspended{customer=\"example.com\",email=\"\(leaver.user.email)\"}",
                in: output.path
            )
            #expect(left.max() == available(leaver.day, lag: 4) - 3_600)
            #expect(!left.isEmpty)
            // The customer report (lag 2 days) skips the lost date: the date before it is served for two days.
            let missing = try #require(history.missingDay)
            let dates = try Self.samples(
                in: output.path,
                at: [
                    available(missing, lag: 2) - 3_600, available(missing, lag: 2), available(missing + 1, lag: 2) - 3_600,
                    available(missing + 1, lag: 2),
                ]
            )
            let reportDate = { (instant: Int) in
                dates[instant]?.first {
                    $0.hasPrefix("google_workspace_usage_report_date_timestamp_seconds{customer=\"example.com\",report=\"customer\"}")
                }
            }
            let start = { (day: Int) in " \(day * 86_400 + 8 * 3_600)" }
            #expect(reportDate(available(missing, lag: 2) - 3_600)?.hasSuffix(start(missing - 1)) == true)
            #expect(reportDate(available(missing, lag: 2))?.hasSuffix(start(missing - 1)) == true)
            #expect(reportDate(available(missing + 1, lag: 2) - 3_600)?.hasSuffix(start(missing - 1)) == true)
            #expect(reportDate(available(missing + 1, lag: 2))?.hasSuffix(start(missing + 1)) == true)
        } cleanup: {
            await upstreams.stop()
        }
    }

    @Test("Google keeps 450 days: an older start asks for no date before them")
    func retention() async throws {
        let upstreams = try await Upstreams.start(users: 4)
        let output = TemporaryDirectory()
        var configuration = upstreams.configuration
        configuration.windsurf = []
        try await withAsyncCleanup {
            let summary = try await Self.backfill(configuration, days: 460, step: 3_600, output: output.path, perUser: false, dryRun: true)
            let today = GoogleReportDate.day(at: Date().timeIntervalSince1970)
            #expect(summary.manifest.sources.first?.firstDate == GoogleReportDate.format(today - 450))
            let asked = upstreams.demo.google.receivedRequests.compactMap { request -> Int? in
                guard let date = request.path.split(separator: "/").last, request.path.contains("/usage/dates/") else { return nil }
                return GoogleReportDate.parse(date)
            }
            #expect(asked.min() == today - 450)
            #expect(summary.manifest.sources.first?.incomplete == [GoogleReportDate.format(today - 20)])
            #expect(summary.manifest.sources.first?.unanswered == [])
            #expect(try FileManager.default.contentsOfDirectory(atPath: output.path).filter { $0.hasSuffix(".om") }.isEmpty)
            #expect(summary.manifest.windows.allSatisfy { $0.file == nil } && summary.manifest.samples > 0)
        } cleanup: {
            await upstreams.stop()
        }
    }
}
