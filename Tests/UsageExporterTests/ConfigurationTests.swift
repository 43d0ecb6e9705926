import Foundation
import Testing

@testable import UsageExporter

@Suite("Configuration")
struct ConfigurationTests {
    let directory = TemporaryDirectory()

    func write(_ name: String, _ contents: String) -> String {
        directory.write(name, contents)
    }

    func parse(_ yaml: String, environment: [String: String] = [:]) throws(ConfigurationError) -> ExporterConfiguration {
        try ConfigurationLoader.parse(yaml: yaml, file: "test.yml", environment: environment)
    }

    /// The problems of an invalid configuration, one line each.
    /// The problems of `yaml`, or none when it is valid.
    func problemsOrNone(_ yaml: String) -> [String] {
        do {
            _ = try parse(yaml, environment: [:])
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    func problems(_ yaml: String, environment: [String: String] = [:]) -> [String] {
        do {
            _ = try parse(yaml, environment: environment)
            Issue.record("expected the configuration to be rejected")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test("every key of SPEC.md, with defaults for what is left out")
    func fullConfiguration() throws {
        let keyFile = write("windsurf-key", "ws-file-key\n\n")
        let salt = write("salt", "pepper  \n")
        let credentials = write("sa.json", TestKeys.keyFileJSON())
        let configuration = try parse(
            """
            windsurf:
              - name: acme
                base_url: https://windsurf.internal.example/
                service_key_file: \(keyFile)
                groups: [platform, design]
                active_days_window: 7d
                credit_balance: true
                analytics: true
                analytics_windows: [1w, 1d, 90d]
                analytics_interval: 2h
                consumption: true
                consumption_interval: 6m
                interval: 30m
                timeout: 10s
              - name: globex
                service_key: ${GLOBEX_KEY}
            google_workspace:
              - name: example.com
                credentials_file: \(credentials)
                subject: admin@example.com
                customer_id: C123
                customer_parameters: [accounts:num_1day_logins]
                user_report: true
                user_parameters: [accounts:is_suspended]
                max_lookback_days: 3
                interval: 2h
                timeout: 45s
                base_url: http://127.0.0.1:8080
            privacy:
              pseudonymize_emails: true
              salt_file: \(salt)
              per_user: false
            max_stale: 12h
            """,
            environment: ["GLOBEX_KEY": "ws-env-key"]
        )
        let acme = configuration.windsurf[0]
        #expect(acme.name == "acme")
        #expect(acme.baseURL == "https://windsurf.internal.example")
        #expect(acme.serviceKey == Secret("ws-file-key"))
        #expect(acme.groups == ["platform", "design"])
        #expect(acme.activeDaysWindow == .seconds(7 * 86_400))
        #expect(acme.creditBalance)
        #expect(acme.analytics && acme.analyticsWindows == [7, 1, 90] && acme.analyticsInterval == .seconds(7200))
        #expect(acme.consumption && acme.consumptionInterval == .seconds(360))
        #expect(acme.interval == .seconds(1800))
        #expect(acme.timeout == .seconds(10))
        let globex = configuration.windsurf[1]
        #expect(globex == WindsurfTeamConfiguration(name: "globex", serviceKey: Secret("ws-env-key")))
        #expect(globex.baseURL == "https://server.codeium.com")
        #expect(globex.interval == .seconds(900) && globex.timeout == .seconds(30) && globex.activeDaysWindow == .seconds(30 * 86_400))
        #expect(globex.groups == nil && !globex.creditBalance)
        #expect(!globex.analytics && globex.analyticsWindows == [7, 30] && globex.analyticsInterval == .seconds(3600))
        #expect(!globex.consumption && globex.consumptionInterval == .seconds(3600))
        let google = configuration.googleWorkspace[0]
        #expect(google.name == "example.com" && google.subject == "admin@example.com" && google.customerID == "C123")
        #expect(google.customerParameters == ["accounts:num_1day_logins"] && google.userReport && google.userParameters == ["accounts:is_suspended"])
        #expect(google.maxLookbackDays == 3 && google.interval == .seconds(7200) && google.timeout == .seconds(45))
        #expect(google.baseURL == "http://127.0.0.1:8080")
        #expect(configuration.privacy == PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("pepper"), perUser: false))
        #expect(configuration.maxStale == .seconds(43_200))
    }

    @Test("an empty file is a valid configuration with no sources")
    func emptyFile() throws {
        #expect(try parse("") == ExporterConfiguration())
        #expect(try parse("# nothing yet\n") == ExporterConfiguration())
        let defaults = try parse("google_workspace:\n  - {name: a, credentials_file: \(write("k.json", TestKeys.keyFileJSON())), subject: s@x}\n")
            .googleWorkspace[0]
        #expect(defaults.customerID == "my_customer" && defaults.maxLookbackDays == 7 && defaults.interval == .seconds(3600))
        #expect(defaults.userParameters == GoogleWorkspaceCustomerConfiguration.defaultUserParameters && !defaults.userReport)
    }

    @Test("unknown keys name the key path and line")
    func unknownKeys() {
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    intervall: 5m\n") == [
                #"test.yml:4: windsurf[0].intervall: unknown key "intervall" (known keys: name, base_url, service_key, service_key_file, groups, active_days_window, credit_balance, analytics, analytics_windows, analytics_interval, consumption, consumption_interval, interval, timeout)"#
            ]
        )
        #expect(
            problems("windsurff: []\n") == [
                #"test.yml:1: windsurff: unknown key "windsurff" (known keys: windsurf, google_workspace, privacy, max_stale)"#
            ]
        )
        #expect(problems("privacy:\n  salt: x\n").first?.hasPrefix(#"test.yml:2: privacy.salt: unknown key "salt""#) == true)
    }

    @Test("wrong types")
    func wrongTypes() {
        #expect(problems("windsurf:\n  name: a\n") == ["test.yml:2: windsurf: must be a list, found a mapping"])
        #expect(problems("windsurf:\n  - name: [a, b]\n    service_key: k\n") == [#"test.yml:2: windsurf[0].name: must be a string, found a list"#])
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    credit_balance: yes please\n") == [
                #"test.yml:4: windsurf[0].credit_balance: must be true or false, found "yes please""#
            ]
        )
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    consumption: hourly\n") == [
                #"test.yml:4: windsurf[0].consumption: must be true or false, found "hourly""#
            ]
        )
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    groups: platform\n") == [
                #"test.yml:4: windsurf[0].groups: must be a list, found "platform""#
            ]
        )
        let credentials = write("k.json", TestKeys.keyFileJSON())
        #expect(
            problems("google_workspace:\n  - {name: a, credentials_file: \(credentials), subject: s, max_lookback_days: seven}\n") == [
                #"test.yml:2: google_workspace[0].max_lookback_days: must be a whole number, found "seven""#
            ]
        )
        #expect(problems("- a\n- b\n") == ["test.yml:1: must be a mapping, found a list"])
    }

    @Test("missing required fields")
    func missingFields() {
        #expect(
            problems("windsurf:\n  - base_url: https://x\n") == [
                "test.yml:2: windsurf[0].name: is required",
                "test.yml:2: windsurf[0]: one of service_key or service_key_file is required",
            ]
        )
        #expect(
            problems("google_workspace:\n  - name: a\n") == [
                "test.yml:2: google_workspace[0].credentials_file: is required",
                "test.yml:2: google_workspace[0].subject: is required",
            ]
        )
        #expect(problems("windsurf:\n  - name: \"\"\n    service_key: k\n") == ["test.yml:2: windsurf[0].name: must not be empty"])
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    service_key_file: /x\n") == [
                "test.yml:4: windsurf[0].service_key_file: set either service_key or service_key_file, not both"
            ]
        )
        #expect(
            problems("privacy:\n  pseudonymize_emails: true\n") == ["test.yml:2: privacy.salt_file: is required when pseudonymize_emails is true"]
        )
    }

    @Test("bad durations", arguments: ["15x", "1.5h", "0s", "fifteen minutes"])
    func badDurations(text: String) {
        let lines = problems("windsurf:\n  - name: a\n    service_key: k\n    interval: \(text)\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("test.yml:4: windsurf[0].interval: ") == true)
        #expect(lines.first?.contains(text == "0s" ? "must be between 1s and 7d, found 0s" : "invalid duration \"\(text)\"") == true)
    }

    struct BoundCase: Sendable, CustomTestStringConvertible {
        let key: String
        let value: String
        let problem: String?
        var testDescription: String { "\(key): \(value)" }
    }

    @Test(
        "every duration is bounded as SPEC.md lists, at the edges and far beyond",
        arguments: [
            BoundCase(key: "timeout", value: "999ms", problem: "must be between 1s and 10m, found 999ms"),
            BoundCase(key: "timeout", value: "1s", problem: nil),
            BoundCase(key: "timeout", value: "10m", problem: nil),
            BoundCase(key: "timeout", value: "10m1ms", problem: "must be between 1s and 10m, found 10m1ms"),
            BoundCase(key: "timeout", value: "300y", problem: "must be between 1s and 10m, found 300y"),
            BoundCase(key: "interval", value: "7d", problem: nil),
            BoundCase(key: "interval", value: "1w1s", problem: "must be between 1s and 7d, found 1w1s"),
            BoundCase(key: "interval", value: "292y", problem: "must be between 1s and 7d, found 292y"),
            BoundCase(key: "active_days_window", value: "23h", problem: "must be between 1d and 365d, found 23h"),
            BoundCase(key: "active_days_window", value: "1y", problem: nil),
            BoundCase(key: "active_days_window", value: "1y1ms", problem: "must be between 1d and 365d, found 1y1ms"),
            BoundCase(key: "analytics_interval", value: "999ms", problem: "must be between 1s and 7d, found 999ms"),
            BoundCase(key: "analytics_interval", value: "7d", problem: nil),
            BoundCase(key: "analytics_interval", value: "8d", problem: "must be between 1s and 7d, found 8d"),
            BoundCase(
                key: "consumption_interval",
                value: "5m59s",
                problem:
                    "must be between 6m and 7d, found 5m59s (the consumption API allows 10 queries an hour per team and each poll sends one, so no interval under 6m is accepted)"
            ),
            BoundCase(key: "consumption_interval", value: "6m", problem: nil),
            BoundCase(key: "consumption_interval", value: "7d", problem: nil),
            BoundCase(
                key: "consumption_interval",
                value: "1s",
                problem:
                    "must be between 6m and 7d, found 1s (the consumption API allows 10 queries an hour per team and each poll sends one, so no interval under 6m is accepted)"
            ),
            BoundCase(
                key: "consumption_interval",
                value: "8d",
                problem:
                    "must be between 6m and 7d, found 8d (the consumption API allows 10 queries an hour per team and each poll sends one, so no interval under 6m is accepted)"
            ),
            // Past Int64 milliseconds: not a duration at all.
            BoundCase(
                key: "timeout",
                value: "99999999999999999999s",
                problem: "invalid duration \"99999999999999999999s\": use Prometheus syntax such as 30s, 15m, 1h or 7d"
            ),
            BoundCase(
                key: "timeout",
                value: "9223372036854775807y",
                problem: "invalid duration \"9223372036854775807y\": use Prometheus syntax such as 30s, 15m, 1h or 7d"
            ),
        ]
    )
    func durationBounds(_ bound: BoundCase) {
        #expect(
            problemsOrNone("windsurf:\n  - name: a\n    service_key: k\n    \(bound.key): \(bound.value)\n")
                == (bound.problem.map { ["test.yml:4: windsurf[0].\(bound.key): \($0)"] } ?? [])
        )
    }

    @Test(
        "analytics_windows: whole days from 1d to 90d, none repeated, at least one",
        arguments: [
            ("[7d, 30d]", nil),
            ("[36h]", "windsurf[0].analytics_windows[0]: must be a whole number of days (such as 7d), found 36h"),
            ("[7d, 1d12h]", "windsurf[0].analytics_windows[1]: must be a whole number of days (such as 7d), found 1d12h"),
            ("[91d]", "windsurf[0].analytics_windows[0]: must be between 1d and 90d, found 91d"),
            ("[12h]", "windsurf[0].analytics_windows[0]: must be between 1d and 90d, found 12h"),
            ("[7d, 1w]", "windsurf[0].analytics_windows[1]: window 7d is listed more than once"),
            ("[]", "windsurf[0].analytics_windows: must list at least one window, such as [7d, 30d]"),
            ("7d", "windsurf[0].analytics_windows: must be a list, found \"7d\""),
        ] as [(String, String?)]
    )
    func analyticsWindows(windows: String, problem: String?) {
        #expect(
            problemsOrNone("windsurf:\n  - name: a\n    service_key: k\n    analytics: true\n    analytics_windows: \(windows)\n")
                == (problem.map { ["test.yml:5: \($0)"] } ?? [])
        )
    }

    @Test("max_stale and the Google durations are bounded too")
    func otherDurationBounds() {
        #expect(problemsOrNone("max_stale: 0s\n") == ["test.yml:1: max_stale: must be between 1s and 365d, found 0s"])
        #expect(problemsOrNone("max_stale: 366d\n") == ["test.yml:1: max_stale: must be between 1s and 365d, found 366d"])
        #expect(problemsOrNone("max_stale: 365d\n").isEmpty)
        let customer = "google_workspace:\n  - name: example.com\n    credentials_file: /nonexistent/sa.json\n    subject: admin@example.com\n"
        let google = problemsOrNone(customer + "    interval: 8d\n    timeout: 11m\n")
        #expect(google.contains("test.yml:5: google_workspace[0].interval: must be between 1s and 7d, found 8d"))
        #expect(google.contains("test.yml:6: google_workspace[0].timeout: must be between 1s and 10m, found 11m"))
        let atTheEdges = problemsOrNone(customer + "    interval: 1s\n    timeout: 10m\n")
        #expect(!atTheEdges.contains { $0.contains("interval") || $0.contains("timeout") })
    }

    @Test("duplicate names point at the second one and the first")
    func duplicateNames() {
        #expect(
            problems("windsurf:\n  - name: acme\n    service_key: a\n  - name: acme\n    service_key: b\n") == [
                #"test.yml:4: windsurf[1].name: duplicate team name "acme" (first at line 2)"#
            ]
        )
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: k\n    groups: [x, x]\n") == [
                #"test.yml:4: windsurf[0].groups: group "x" is listed more than once"#
            ]
        )
    }

    @Test("environment variables: set ones are substituted, unset ones are errors that never show a value")
    func environment() throws {
        let configuration = try parse(
            "windsurf:\n  - name: ${TEAM}-${SUFFIX}\n    service_key: ${KEY}\n",
            environment: ["TEAM": "acme", "SUFFIX": "eu", "KEY": "s3cret"]
        )
        #expect(configuration.windsurf[0].name == "acme-eu")
        #expect(configuration.windsurf[0].serviceKey.value == "s3cret")
        #expect(
            problems("windsurf:\n  - name: a\n    service_key: ${WINDSURF_SERVICE_KEY}\n", environment: ["OTHER": "x"]) == [
                "test.yml:3: windsurf[0].service_key: environment variable WINDSURF_SERVICE_KEY is not set"
            ]
        )
    }

    @Test("unreadable and empty *_file")
    func unreadableFiles() {
        let empty = write("empty", "\n  \n")
        #expect(
            problems("windsurf:\n  - name: a\n    service_key_file: /nonexistent/key\n") == [
                #"test.yml:3: windsurf[0].service_key_file: cannot read service key file "/nonexistent/key": No such file or directory"#
            ]
        )
        #expect(
            problems("windsurf:\n  - name: a\n    service_key_file: \(empty)\n") == [
                #"test.yml:3: windsurf[0].service_key_file: service key file "\#(empty)" is empty"#
            ]
        )
        #expect(problems("privacy:\n  salt_file: \(directory.path)\n").first?.contains("cannot read salt file") == true)
        #expect(
            problems("google_workspace:\n  - {name: a, credentials_file: /nonexistent/sa.json, subject: s}\n") == [
                #"test.yml:2: google_workspace[0].credentials_file: cannot read credentials file "/nonexistent/sa.json": No such file or directory"#
            ]
        )
    }

    @Test("every problem is reported at once, and base URLs are checked")
    func severalProblems() {
        let lines = problems(
            """
            windsurf:
              - name: a
                service_key: k
                base_url: ftp://x
                timeout: soon
              - name: b
            max_stale: forever
            """
        )
        #expect(
            lines == [
                #"test.yml:4: windsurf[0].base_url: must be an http:// or https:// URL, found "ftp://x""#,
                #"test.yml:5: windsurf[0].timeout: invalid duration "soon": use Prometheus syntax such as 30s, 15m, 1h or 7d"#,
                "test.yml:6: windsurf[1]: one of service_key or service_key_file is required",
                #"test.yml:7: max_stale: invalid duration "forever": use Prometheus syntax such as 30s, 15m, 1h or 7d"#,
            ]
        )
    }

    @Test("YAML syntax errors give the line")
    func syntaxError() {
        let lines = problems("windsurf:\n  - name: a\n   bad indent: [\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("test.yml:") == true)
        #expect(lines.first?.contains("invalid YAML") == true)
    }

    @Test("a secret never prints")
    func secretDescription() {
        let secret = Secret("hunter2")
        #expect("\(secret)" == "<secret>")
        #expect(String(reflecting: secret) == "<secret>")
        #expect(!"\(WindsurfTeamConfiguration(name: "a", serviceKey: secret))".contains("hunter2"))
    }
}
