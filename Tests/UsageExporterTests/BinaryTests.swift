import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// The real binary as a user runs it: flags, configuration errors and exit codes, polling, shutdown.
@Suite("Binary", .serialized)
struct BinaryTests {
    let directory = TemporaryDirectory()

    func write(_ name: String, _ contents: String) -> String {
        directory.write(name, contents)
    }

    @Test("--version and --help")
    func versionAndHelp() async throws {
        let version = try await ExporterProcess.run(["--version"])
        #expect(version.code == 0)
        #expect(
            version.output.trimmingCharacters(in: .whitespacesAndNewlines)
                == "usage-exporter \(ExporterVersion.version) (revision \(ExporterVersion.revision))"
        )
        let help = try await ExporterProcess.run(["--help"])
        #expect(help.code == 0)
        for flag in [
            "--config.file", "--web.listen-address", "--web.telemetry-path", "--log.level", "--log.format", "--config.check", "--demo",
            "--demo.users", "--state.file",
        ] {
            #expect(help.output.contains(flag), "\(flag)")
        }
    }

    @Test("--config.check: 0 for a valid file, 1 with one line per problem for an invalid one")
    func configCheck() async throws {
        let key = write("key", "secret-service-key\n")
        let valid = write("valid.yml", "windsurf:\n  - name: acme\n    service_key_file: \(key)\n")
        let ok = try await ExporterProcess.run(["--config.check", "--config.file", valid])
        #expect(ok.code == 0)
        #expect(ok.output.contains("valid"))
        #expect(!ok.output.contains("secret-service-key") && !ok.error.contains("secret-service-key"))

        let invalid = write(
            "invalid.yml",
            """
            windsurf:
              - name: acme
                service_key: ${UNSET_VARIABLE_FOR_TEST}
                interval: 15x
                colour: blue
              - name: acme
                service_key_file: /nonexistent/key
                consumption: true
                consumption_interval: 1m
            """
        )
        let bad = try await ExporterProcess.run(["--config.check", "--config.file", invalid], environment: [:])
        #expect(bad.code == 1)
        let lines = bad.error.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "\(invalid):3: windsurf[0].service_key: environment variable UNSET_VARIABLE_FOR_TEST is not set",
                "\(invalid):4: windsurf[0].interval: invalid duration \"15x\": use Prometheus syntax such as 30s, 15m, 1h or 7d",
                "\(invalid):5: windsurf[0].colour: unknown key \"colour\" (known keys: name, base_url, service_key, service_key_file, groups, active_days_window, credit_balance, analytics, analytics_windows, analytics_interval, consumption, consumption_interval, interval, timeout)",
                "\(invalid):6: windsurf[1].name: duplicate team name \"acme\" (first at line 2)",
                "\(invalid):7: windsurf[1].service_key_file: cannot read service key file \"/nonexistent/key\": No such file or directory",
                "\(invalid):9: windsurf[1].consumption_interval: must be between 6m and 7d, found 1m (the consumption API allows 10 queries an hour per team and each poll sends one, so no interval under 6m is accepted)",
            ]
        )
    }

    @Test("--state.file: a file that cannot be written stops the start naming the flag; a foreign one is replaced")
    func stateFile() async throws {
        let key = write("state-key", "k\n")
        let config = write("state.yml", "windsurf:\n  - name: acme\n    service_key_file: \(key)\n    base_url: http://127.0.0.1:9\n")
        let refused = try await ExporterProcess.run([
            "--config.file", config, "--web.listen-address", "127.0.0.1:0", "--state.file", "/nonexistent/state.json",
        ])
        #expect(refused.code == 1)
        #expect(refused.error.contains("--state.file: cannot write \\\"/nonexistent/state.json\\\""), "\(refused.error)")

        let foreign = write("foreign-state.json", "not json")
        let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0", "--state.file", foreign])
        _ = try await child.listeningPort()
        #expect(child.standardErrorText.contains("ignoring the state file"))
        let rewritten = try String(contentsOfFile: foreign, encoding: .utf8)
        #expect(rewritten.hasPrefix("{") && rewritten.contains("\"version\":1"))
        child.signal(SIGTERM)
        #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)

        // Under systemd's StateDirectory= (STATE_DIRECTORY), state.json there is the default.
        let stateDirectory = directory.file("state-directory")
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        let service = try ExporterProcess(
            arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"],
            environment: ["STATE_DIRECTORY": stateDirectory]
        )
        _ = try await service.listeningPort()
        #expect(FileManager.default.fileExists(atPath: stateDirectory + "/state.json"))
        service.signal(SIGTERM)
        #expect(try await service.waitForExit(timeout: .seconds(10)) == 0)
    }

    @Test("a bad configuration exits 1 without serving; a missing file is named")
    func badConfigurationDoesNotStart() async throws {
        let invalid = write("bad.yml", "windsurf: {name: x}\n")
        let result = try await ExporterProcess.run(["--config.file", invalid, "--web.listen-address", "127.0.0.1:0"])
        #expect(result.code == 1)
        #expect(result.error == "\(invalid):1: windsurf: must be a list, found a mapping\n")
        let missing = try await ExporterProcess.run(["--config.file", "/nonexistent/usage-exporter.yml"])
        #expect(missing.code == 1)
        #expect(missing.error.contains("/nonexistent/usage-exporter.yml: cannot read the configuration file: No such file or directory"))
    }

    @Test(
        "bad flags exit non-zero naming the flag",
        arguments: [
            (["--web.listen-address", "nonsense"], "--web.listen-address"),
            (["--log.level", "loud"], "--log.level"),
            (["--log.format", "xml"], "--log.format"),
            (["--web.telemetry-path", "metrics"], "--web.telemetry-path"),
            (["--demo", "--demo.users", "0"], "--demo.users"),
        ]
    )
    func badFlags(arguments: [String], flag: String) async throws {
        let result = try await ExporterProcess.run(arguments)
        #expect(result.code != 0)
        #expect(result.error.contains(flag))
    }

    @Test("the binary polls a configured upstream, serves it, and SIGTERM ends a hanging poll at once with exit 0")
    func pollsAndShutsDown() async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 9).team(
                name: "acme",
                serviceKey: "binary-test-key",
                groups: [],
                users: 7,
                now: Date().timeIntervalSince1970
            )
        ]
        let simulator = WindsurfSimulator(teams: teams)
        let baseURL = try await simulator.start()
        try await withAsyncCleanup {
            let key = write("key", "binary-test-key\n")
            let config = write("config.yml", "windsurf:\n  - name: acme\n    base_url: \(baseURL)\n    service_key_file: \(key)\n    interval: 1s\n")
            let child = try ExporterProcess(arguments: [
                "--config.file", config, "--web.listen-address", "127.0.0.1:0", "--web.telemetry-path", "/custom-metrics", "--log.format", "logfmt",
            ])
            let port = try await child.listeningPort()
            var metrics = ParsedExposition("")
            try await waitUntil("a successful poll on the custom telemetry path") {
                metrics = ParsedExposition(try await child.request("/custom-metrics", port: port).body)
                return metrics.success("windsurf", "acme") == 1
            }
            #expect(metrics.samples("windsurf_user_info").count == 7)
            #expect(
                metrics.value("windsurf_user_prompt_credits_used", ["email": teams[0].users[0].normalizedEmail]) == Double(
                    teams[0].users[0].promptCreditsUsed
                ) / 100
            )
            #expect((metrics.value("process_resident_memory_bytes") ?? 0) > 1_000_000)
            #expect((metrics.value("process_open_fds") ?? 0) > 3)

            // The upstream now hangs; the request deadline is the default 30 s.
            simulator.inject(.hang)
            try await waitUntil("a request held by the hanging upstream") { simulator.receivedRequests.contains { $0.fault == .hang } }
            let signalled = ContinuousClock.now
            child.signal(SIGTERM)
            let code = try await child.waitForExit(timeout: .seconds(10))
            let elapsed = ContinuousClock.now - signalled
            #expect(code == 0)
            #expect(elapsed < .seconds(2), "shutdown took \(elapsed)")
            #expect(!child.standardErrorText.contains("binary-test-key"))
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("--demo serves simulated teams without a configuration file")
    func demo() async throws {
        let child = try ExporterProcess(arguments: [
            "--demo", "--demo.users", "30", "--web.listen-address", "127.0.0.1:0", "--config.file", "/nonexistent",
        ])
        let port = try await child.listeningPort()
        try await waitUntil("the demo ready") { try await child.request("/-/ready", port: port).status == 200 }
        let metrics = ParsedExposition(try await child.request("/metrics", port: port).body)
        #expect(Set(metrics.samples("windsurf_user_info").compactMap { $0.labels["team"] }) == ["acme", "globex"])
        #expect(Set(metrics.samples("windsurf_user_info").compactMap { $0.labels["group"] }) == ["platform", "design"])
        #expect(metrics.samples("windsurf_team_seats").count == 2)
        child.signal(SIGINT)
        #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
    }
}
