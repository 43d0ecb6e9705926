import AsyncHTTPClient
import Foundation
import Logging
import Testing
import UsageExporter
import UsageExporterSimulator

@Suite("Reload", .serialized)
struct ReloadTests {
    let directory = TemporaryDirectory()

    static func teamsShown(_ metrics: ParsedExposition) -> Set<String> {
        Set(metrics.samples("windsurf_user_info").compactMap { $0.labels["team"] })
    }

    @Test("SIGHUP and POST /-/reload through the binary: teams added, changed and removed; an invalid file keeps the running configuration")
    func reload() async throws {
        let now = Date().timeIntervalSince1970
        let generator = WindsurfDatasetGenerator(seed: 21)
        let teams = [
            generator.team(name: "alpha", serviceKey: "key-alpha", groups: [], users: 4, now: now, seedOffset: 1),
            generator.team(name: "beta", serviceKey: "key-beta", groups: [], users: 6, now: now, seedOffset: 2),
        ]
        let simulator = WindsurfSimulator(teams: teams)
        let baseURL = try await simulator.start()
        try await withAsyncCleanup {
            let config = directory.file("config.yml")
            func writeConfig(_ text: String) { directory.write("config.yml", text) }
            func team(_ name: String, interval: String = "1h") -> String {
                "  - name: \(name)\n    base_url: \(baseURL)\n    service_key: key-\(name)\n    interval: \(interval)\n"
            }
            func polls(_ team: String) -> Int { simulator.receivedRequests.filter { $0.serviceKey == "key-\(team)" }.count }
            writeConfig("windsurf:\n" + team("alpha"))
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            let port = try await child.listeningPort()

            let first = try await child.waitForMetrics(port: port, "alpha polled") { Self.teamsShown($0) == ["alpha"] }
            #expect(first.value("usage_exporter_config_last_reload_successful") == 1)
            let firstReload = try #require(first.value("usage_exporter_config_last_reload_success_timestamp_seconds"))
            let alphaPolls = polls("alpha")

            // Add beta with SIGHUP: it appears, alpha keeps running without a new poll.
            writeConfig("windsurf:\n" + team("alpha") + team("beta"))
            child.signal(SIGHUP)
            let both = try await child.waitForMetrics(port: port, "beta added") { Self.teamsShown($0) == ["alpha", "beta"] }
            #expect(try #require(both.value("usage_exporter_config_last_reload_success_timestamp_seconds")) >= firstReload)
            #expect(polls("alpha") == alphaPolls)

            // An invalid file keeps everything running and says so.
            writeConfig("windsurf:\n  - name: alpha\n    intervall: 5m\n")
            child.signal(SIGHUP)
            let failed = try await child.waitForMetrics(port: port, "failed reload reported") {
                $0.value("usage_exporter_config_last_reload_successful") == 0
            }
            #expect(Self.teamsShown(failed) == ["alpha", "beta"])
            let refused = try await child.request("/-/reload", port: port, method: .POST)
            #expect(refused.status == 500)
            #expect(refused.body.contains("\(config):3: windsurf[0].intervall: unknown key"))
            #expect(child.process.isRunning)

            // POST /-/reload with a valid file: alpha removed, beta changed (restarted at once, polled once).
            let betaPolls = polls("beta")
            let betaSuccess = try #require(
                failed.value("usage_exporter_collector_last_success_timestamp_seconds", ["collector": "windsurf", "source": "beta"])
            )
            writeConfig("windsurf:\n" + team("beta", interval: "2h"))
            #expect(try await child.request("/-/reload", port: port, method: .POST).status == 200)
            let last = try await child.waitForMetrics(port: port, "alpha removed and beta polled by its new run") {
                Self.teamsShown($0) == ["beta"] && $0.value("usage_exporter_config_last_reload_successful") == 1
                    && ($0.value("usage_exporter_collector_last_success_timestamp_seconds", ["collector": "windsurf", "source": "beta"]) ?? 0)
                        > betaSuccess
            }
            #expect(!last.samples.contains { $0.labels["source"] == "alpha" })
            #expect(polls("beta") == betaPolls + 1)

            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("a reload that turns on pseudonymize_emails while a slow poll is in flight: plain addresses never reappear")
    func privacyReloadDuringSlowPoll() async throws {
        let team = WindsurfDatasetGenerator(seed: 22).team(
            name: "acme",
            serviceKey: "key-acme",
            groups: [],
            users: 8,
            now: Date().timeIntervalSince1970
        )
        let plainEmails = team.users.map(\.normalizedEmail)
        let simulator = WindsurfSimulator(teams: [team])
        let baseURL = try await simulator.start()
        try await withAsyncCleanup {
            let salt = directory.write("salt", "pepper\n")
            let teamConfig = "windsurf:\n  - name: acme\n    base_url: \(baseURL)\n    service_key: key-acme\n    interval: 1s\n"
            let config = directory.write("config.yml", teamConfig)
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            let port = try await child.listeningPort()
            let plain = try await child.waitForMetrics(port: port, "plain addresses served") {
                $0.samples("windsurf_user_info").contains { $0.labels["email"] == plainEmails[0] }
            }
            let firstLoad = try #require(plain.value("usage_exporter_config_last_reload_success_timestamp_seconds"))

            // The next poll is slow; once it is in flight, privacy is turned on.
            let slow = 2.0
            simulator.inject(.slow(seconds: slow), on: .userPageAnalytics, count: 1)
            try await waitUntil("the slow poll in flight") { simulator.receivedRequests.contains { $0.fault != nil } }
            let slowStarted = ContinuousClock.now
            directory.write("config.yml", teamConfig + "privacy:\n  pseudonymize_emails: true\n  salt_file: \(salt)\n")
            child.signal(SIGHUP)
            // Once the reload is applied, and until well after the slow answer has come back, no scrape
            // shows a plain address or a name.
            try await child.waitForMetrics(port: port, "the reload applied") {
                ($0.value("usage_exporter_config_last_reload_success_timestamp_seconds") ?? 0) > firstLoad
            }
            let pseudonymized = EmailLabeler(pseudonymizingWith: Secret("pepper"))
            var sawPseudonyms = false
            // Scrapes go on until the slow answer has been sent (and 1.5 s more), so the old poll has had
            // every chance to publish; the deadline only bounds a broken run.
            var answeredAt: ContinuousClock.Instant?
            while answeredAt.map({ ContinuousClock.now < $0 + .seconds(1.5) }) ?? (ContinuousClock.now < slowStarted + .seconds(60)) {
                if answeredAt == nil, ContinuousClock.now >= slowStarted + .seconds(slow), simulator.requestsInFlight == 0 {
                    answeredAt = ContinuousClock.now
                }
                let text = try await child.request("/metrics", port: port).body
                let metrics = ParsedExposition(text)
                for email in plainEmails { #expect(!text.contains(email), "\(email) reappeared") }
                #expect(!metrics.samples("windsurf_user_info").contains { $0.labels["name"] != nil })
                sawPseudonyms =
                    sawPseudonyms || metrics.samples("windsurf_user_info").contains { $0.labels["email"] == pseudonymized.label(for: plainEmails[0]) }
            }
            #expect(answeredAt != nil, "the slow answer was never sent")
            #expect(sawPseudonyms)
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("reloads run one at a time from the file read to the new collectors: the file written last is applied last")
    func serializedReloads() async throws {
        var logger = Logger(label: "reload-test")
        logger.logLevel = .critical
        let store = MetricsStore()
        let collectors = CollectorService(store: store, client: UpstreamClient(httpClient: TestHTTPClient.shared), logger: logger)
        func teamConfig(_ name: String) -> String { "windsurf:\n  - name: \(name)\n    service_key: k\n    interval: 1h\n" }
        let path = directory.write("config.yml", teamConfig("initial"))
        let reloader = ConfigurationReloader(
            path: path,
            environment: [:],
            configuration: ExporterConfiguration(),
            collectors: collectors,
            logger: logger
        )
        for round in 0..<10 {
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<8 {
                    directory.write("config.yml", teamConfig("team\(round)-\(index)"))
                    group.addTask { _ = await reloader.reload() }
                }
                directory.write("config.yml", teamConfig("last\(round)"))
                group.addTask { _ = await reloader.reload() }
            }
            #expect(store.statuses.map(\.source.source) == ["last\(round)"])
            #expect(reloader.reloadStatus.lastSucceeded)
        }
    }
}
