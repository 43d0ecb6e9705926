import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

@Suite("Reload", .serialized)
struct ReloadTests {
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
            let directory = TemporaryDirectory()
            defer { withExtendedLifetime(directory) {} }
            let config = directory.file("config.yml")
            func writeConfig(_ text: String) throws { try text.write(toFile: config, atomically: true, encoding: .utf8) }
            func team(_ name: String, interval: String = "1h") -> String {
                "  - name: \(name)\n    base_url: \(baseURL)\n    service_key: key-\(name)\n    interval: \(interval)\n"
            }
            try writeConfig("windsurf:\n" + team("alpha"))
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            let port = try await child.listeningPort()

            func metrics() async throws -> ParsedExposition {
                ParsedExposition(try await HTTPClientShared.get("http://127.0.0.1:\(port)/metrics"))
            }
            func waitFor(_ what: String, _ condition: (ParsedExposition) -> Bool) async throws -> ParsedExposition {
                let deadline = ContinuousClock.now + .seconds(15)
                while ContinuousClock.now < deadline {
                    let current = try await metrics()
                    if condition(current) { return current }
                    try await Task.sleep(for: .milliseconds(25))
                }
                throw ExporterHarness.HarnessError("timed out waiting for \(what)")
            }
            func teamsShown(_ metrics: ParsedExposition) -> Set<String> {
                Set(metrics.samples("windsurf_user_info").compactMap { $0.labels["team"] })
            }

            let first = try await waitFor("alpha polled") { teamsShown($0) == ["alpha"] }
            #expect(first.value("usage_exporter_config_last_reload_successful") == 1)
            let firstReload = try #require(first.value("usage_exporter_config_last_reload_success_timestamp_seconds"))
            let alphaPolls = simulator.receivedRequests.filter { $0.serviceKey == "key-alpha" }.count

            // Add beta with SIGHUP: it appears, alpha keeps running without a new poll.
            try writeConfig("windsurf:\n" + team("alpha") + team("beta"))
            child.signal(SIGHUP)
            let both = try await waitFor("beta added") { teamsShown($0) == ["alpha", "beta"] }
            #expect(try #require(both.value("usage_exporter_config_last_reload_success_timestamp_seconds")) >= firstReload)
            #expect(simulator.receivedRequests.filter { $0.serviceKey == "key-alpha" }.count == alphaPolls)

            // An invalid file keeps everything running and says so.
            try writeConfig("windsurf:\n  - name: alpha\n    intervall: 5m\n")
            child.signal(SIGHUP)
            let failed = try await waitFor("failed reload reported") { $0.value("usage_exporter_config_last_reload_successful") == 0 }
            #expect(teamsShown(failed) == ["alpha", "beta"])
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/-/reload")
            request.method = .POST
            let refused = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(refused.status == .internalServerError)
            let reason = String(buffer: try await refused.body.collect(upTo: 1 << 16))
            #expect(reason.contains("\(config):3: windsurf[0].intervall: unknown key"))
            #expect(child.process.isRunning)

            // POST /-/reload with a valid file: alpha removed, beta changed (restarted at once).
            let betaPolls = simulator.receivedRequests.filter { $0.serviceKey == "key-beta" }.count
            try writeConfig("windsurf:\n" + team("beta", interval: "2h"))
            let accepted = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(accepted.status == .ok)
            let last = try await waitFor("alpha removed") { teamsShown($0) == ["beta"] && $0.value("usage_exporter_config_last_reload_successful") == 1 }
            #expect(!last.samples.contains { $0.labels["source"] == "alpha" })
            try await Task.sleep(for: .milliseconds(300))
            #expect(simulator.receivedRequests.filter { $0.serviceKey == "key-beta" }.count == betaPolls + 1)

            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
        } cleanup: {
            await simulator.stop()
        }
    }
}
