import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// The real binary against upstreams (and whatever sits between us and them) that misbehave on purpose:
/// hanging requests at shutdown, hostile headers, redirects to another host, absurd configured durations.
/// Nothing may crash the process, leak a secret or lose the last good data.
@Suite("Adversarial upstreams", .serialized)
struct AdversarialUpstreamTests {
    let directory = TemporaryDirectory()
    static let serviceKey = "adversarial-service-key-5f1e"

    static func team() -> SimulatedWindsurfTeam {
        WindsurfDatasetGenerator(seed: 17).team(name: "acme", serviceKey: serviceKey, groups: [], users: 6, now: Date().timeIntervalSince1970)
    }

    func windsurfConfig(baseURL: String, interval: String = "1h") -> String {
        let key = directory.write("service-key", Self.serviceKey + "\n")
        return directory.write(
            "windsurf.yml",
            "windsurf:\n  - name: acme\n    base_url: \(baseURL)\n    service_key_file: \(key)\n    interval: \(interval)\n"
        )
    }

    func googleConfig(_ google: GoogleSimulator) -> String {
        let key = directory.write("service-account.json", google.keyFileJSON())
        return directory.write(
            "google.yml",
            """
            google_workspace:
              - name: example.com
                credentials_file: \(key)
                subject: \(google.adminSubject)
                user_report: true
                interval: 1h
                base_url: \(google.baseURL)

            """
        )
    }

    static func scrape(_ port: Int, _ path: String = "/metrics") async throws -> String {
        let response = try await TestHTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 64 << 20))
    }

    /// Sends SIGTERM and returns the exit status and the time from the signal to the exit.
    static func terminate(_ child: ExporterProcess) async throws -> (code: Int32, elapsed: Duration) {
        let signalled = ContinuousClock.now
        child.signal(SIGTERM)
        let code = try await child.waitForExit(timeout: .seconds(10))
        return (code, ContinuousClock.now - signalled)
    }

    enum Hang: String, Sendable, CaseIterable {
        case windsurfRequest = "a Windsurf request that never answers"
        case windsurfBody = "a Windsurf answer whose body stops half way"
        case googleReport = "a Reports API request that never answers"
        case googleToken = "a token endpoint that never answers"
    }

    @Test("SIGTERM ends the process with status 0 within 2 s whatever an upstream is doing", arguments: Hang.allCases)
    func shutdownWithHungUpstream(_ hang: Hang) async throws {
        let windsurf = WindsurfSimulator(teams: [Self.team()])
        let google = GoogleSimulator(
            customer: GoogleDatasetGenerator().customer(emails: ["a@example.com"], extraUsers: 2, now: Date().timeIntervalSince1970),
            account: TestKeys.account
        )
        try await withAsyncCleanup {
            let config: String
            let inFlight: @Sendable () -> Bool
            switch hang {
            case .windsurfRequest, .windsurfBody:
                windsurf.inject(hang == .windsurfRequest ? .hang : .stalledBody, on: .userPageAnalytics)
                config = windsurfConfig(baseURL: try await windsurf.start())
                inFlight = { windsurf.receivedRequests.contains { $0.endpoint == .userPageAnalytics } }
            case .googleReport, .googleToken:
                google.inject(hang == .googleReport ? .hang : .tokenHang)
                _ = try await google.start()
                config = googleConfig(google)
                let path = hang == .googleReport ? "/admin/reports/" : "/token"
                inFlight = { google.receivedRequests.contains { $0.path.hasPrefix(path) } }
            }
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            _ = try await child.listeningPort()
            try await waitUntil("the hung request to be in flight") { inFlight() }
            let (code, elapsed) = try await Self.terminate(child)
            print("SIGTERM with \(hang.rawValue): exit status \(code) after \(elapsed)")
            #expect(code == 0, "stderr: \(child.standardErrorText)")
            #expect(elapsed < .seconds(2), "shutdown took \(elapsed)")
            #expect(!child.standardErrorText.contains("Fatal error"))
            #expect(!child.standardErrorText.contains(Self.serviceKey))
        } cleanup: {
            await windsurf.stop()
            await google.stop()
        }
    }

    @Test("429 with Retry-After in the year 999999999999: the poll ends as rate_limited at once, the process lives on")
    func hostileRetryAfter() async throws {
        let windsurf = WindsurfSimulator(teams: [Self.team()])
        let baseURL = try await windsurf.start()
        try await withAsyncCleanup {
            let child = try ExporterProcess(arguments: [
                "--config.file", windsurfConfig(baseURL: baseURL, interval: "1s"), "--web.listen-address", "127.0.0.1:0",
            ])
            let port = try await child.listeningPort()
            try await waitUntil("a first good poll") { try await Self.scrape(port).contains("windsurf_user_info{") }
            let good = ParsedExposition(try await Self.scrape(port))
            windsurf.inject(.rateLimited(retryAfter: "Sun, 06 Nov 999999999999 08:49:37 GMT"), on: .userPageAnalytics)
            try await waitUntil("two polls ended by the hostile header") {
                ParsedExposition(try await Self.scrape(port)).errors("windsurf", "acme", "rate_limited") >= 2
            }
            let metrics = ParsedExposition(try await Self.scrape(port))
            #expect(child.process.isRunning)
            #expect(metrics.success("windsurf", "acme") == 0)
            // The header asked for a wait longer than the 1 s interval (capped at an hour): the poll that got it
            // ends at once, and the polls after it send nothing until the hour is over.
            #expect(metrics.requests("windsurf", "acme", "429") == 1)
            #expect(metrics.errors("windsurf", "acme", "rate_limited") >= 2)
            let heldBack = try #require(
                metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf", "source": "acme"])
            )
            #expect(abs(heldBack - (Date().timeIntervalSince1970 + 3600)) < 60)
            // The last good data stays.
            #expect(metrics.samples("windsurf_user_info").count == good.samples("windsurf_user_info").count)
            let page = try await Self.scrape(port, "/")
            #expect(page.contains("which runs past the next scheduled poll") || page.contains("which is after the next scheduled poll"))
            let (code, elapsed) = try await Self.terminate(child)
            #expect(code == 0)
            #expect(elapsed < .seconds(2))
        } cleanup: {
            await windsurf.stop()
        }
    }

    @Test("durations of centuries are refused by --config.check, naming the field and the bound, and never start")
    func hugeDurations() async throws {
        let key = directory.write("service-key", "k\n")
        let config = directory.write("huge.yml", "windsurf:\n  - name: acme\n    service_key_file: \(key)\n    timeout: 300y\n    interval: 300y\n")
        let check = try await ExporterProcess.run(["--config.check", "--config.file", config])
        #expect(check.code == 1)
        #expect(
            check.error.split(separator: "\n") == [
                "\(config):4: windsurf[0].timeout: must be between 1s and 10m, found 300y",
                "\(config):5: windsurf[0].interval: must be between 1s and 7d, found 300y",
            ]
        )
        let run = try await ExporterProcess.run(["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
        #expect(run.code == 1)
        #expect(!run.error.contains("Fatal error") && !run.error.contains("listening"))
    }

    enum Redirected: String, Sendable, CaseIterable {
        case windsurf = "the Windsurf API (service key in the body)"
        case googleToken = "the token endpoint (signed assertion in the body)"
        case googleReport = "the Reports API (bearer token in a header)"
    }

    @Test("a redirect to another host is not followed: reason config, naming the status and host, never the query", arguments: Redirected.allCases)
    func redirect(_ redirected: Redirected) async throws {
        // The thief listens on another loopback address; anything it receives was re-sent there.
        let thief = try await RequestRecorder(host: "127.0.0.2")
        let thiefURL = thief.baseURL
        let location = thiefURL + "/steal?token=stolen-query-part"
        let thiefHost = String(thiefURL.dropFirst("http://".count))
        let windsurf = WindsurfSimulator(teams: [Self.team()])
        let google = GoogleSimulator(
            customer: GoogleDatasetGenerator().customer(emails: ["a@example.com"], extraUsers: 2, now: Date().timeIntervalSince1970),
            account: TestKeys.account
        )
        try await withAsyncCleanup {
            let config: String
            let collector: String
            let source: String
            switch redirected {
            case .windsurf:
                windsurf.inject(.redirect(status: 307, location: location), on: .userPageAnalytics)
                config = windsurfConfig(baseURL: try await windsurf.start())
                (collector, source) = ("windsurf", "acme")
            case .googleToken, .googleReport:
                google.inject(
                    redirected == .googleToken ? .tokenRedirect(status: 307, location: location) : .redirect(status: 308, location: location)
                )
                _ = try await google.start()
                config = googleConfig(google)
                (collector, source) = ("google_workspace_customer", "example.com")
            }
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            let port = try await child.listeningPort()
            try await waitUntil("a config error") { ParsedExposition(try await Self.scrape(port)).errors(collector, source, "config") >= 1 }
            let status = redirected == .googleReport ? "308" : "307"
            let metrics = ParsedExposition(try await Self.scrape(port))
            // The token exchange is shared by the customer's two collectors: either may have sent it.
            let sent =
                redirected == .googleToken
                ? metrics.requests(collector, source, status) + metrics.requests("google_workspace_user", source, status)
                : metrics.requests(collector, source, status)
            #expect(sent >= 1)
            let landing = try await Self.scrape(port, "/")
            #expect(landing.contains("answered HTTP \(status), a redirect to \(thiefHost); redirects are not followed"))
            #expect(!landing.contains("steal") && !landing.contains("stolen-query-part"))
            #expect(!child.standardErrorText.contains("stolen-query-part"))
            #expect(thief.requests.isEmpty)
            #expect(try await Self.terminate(child).code == 0)
        } cleanup: {
            await thief.stop()
            await windsurf.stop()
            await google.stop()
        }
    }

    @Test("every other redirect status is refused the same way (the exporter's own HTTP client)", arguments: [301, 302, 303])
    func otherRedirectStatuses(_ status: Int) async throws {
        let thief = try await RequestRecorder(host: "127.0.0.2")
        let thiefHost = String(thief.baseURL.dropFirst("http://".count))
        let teams = [Self.team()]
        let harness = try await ExporterHarness.start(
            teams: teams,
            beforeExporterStarts: { $0.inject(.redirect(status: status, location: thief.baseURL + "/steal?token=q"), on: .userPageAnalytics) },
            configure: { ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: $0)) }
        )
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("a config error") { $0.errors("windsurf", "acme", "config") >= 1 }
            #expect(metrics.requests("windsurf", "acme", String(status)) >= 1)
            let landing = try await harness.request("/").body
            #expect(landing.contains("answered HTTP \(status), a redirect to \(thiefHost); redirects are not followed"))
            #expect(!landing.contains("token=q"))
            #expect(thief.requests.isEmpty)
        } cleanup: {
            await harness.stop()
            await thief.stop()
        }
    }
}
