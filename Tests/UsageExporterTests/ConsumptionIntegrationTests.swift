import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// The `windsurf_consumption` collector (Devin Desktop consumption API v2) against the Windsurf simulator over
/// real HTTP: every family value against the simulator's rows (summed here), both billing strategies, the query
/// it sends, pagination, ETag and 304, and every fault.
@Suite("Windsurf consumption integration", .serialized)
struct ConsumptionIntegrationTests {
    static func demoTeams(users: Int = 40) -> [SimulatedWindsurfTeam] {
        WindsurfDatasetGenerator(seed: 13).demoTeams(users: users, now: Date().timeIntervalSince1970)
    }

    static func start(
        teams: [SimulatedWindsurfTeam] = demoTeams(),
        interval: Duration = .seconds(3600),
        windows: [Int] = [7, 30],
        privacy: PrivacyConfiguration = PrivacyConfiguration(),
        retryPolicy: RetryPolicy = ExporterHarness.fastRetries,
        configure: @escaping (inout WindsurfTeamConfiguration) -> Void = { _ in },
        beforeExporterStarts: (WindsurfSimulator) -> Void = { _ in }
    ) async throws -> ExporterHarness {
        try await ExporterHarness.start(teams: teams, retryPolicy: retryPolicy, beforeExporterStarts: beforeExporterStarts) { baseURL in
            let configurations = ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(3600)).map { team in
                var team = team
                team.creditBalance = false
                team.consumption = true
                team.analyticsWindows = windows
                // Tests poll faster than the configuration file allows (6m); the exporter's budget still applies.
                team.consumptionInterval = interval
                configure(&team)
                return team
            }
            return ExporterConfiguration(windsurf: configurations, privacy: privacy)
        }
    }

    static func consumptionRequests(_ simulator: WindsurfSimulator, team: String? = nil) -> [WindsurfSimulator.ReceivedRequest] {
        let key = team.flatMap { name in simulator.teams.first { $0.name == name }?.serviceKey }
        return simulator.receivedRequests.filter { $0.endpoint == .consumption && (key == nil || $0.serviceKey == key) }
    }

    /// Sums in hundredths, as the simulator keeps them.
    struct Sums {
        var prompt = 0
        var flex = 0
        var acus = 0
        var messages = 0

        mutating func add(_ row: SimulatedConsumptionRow) {
            prompt += row.promptHundredths
            flex += row.flexHundredths
            acus += row.acuHundredths
            messages += row.messages
        }
    }

    /// The window's sums by model, and by email and model, from the simulator's rows.
    static func expected(_ team: SimulatedWindsurfTeam, days: Int) -> (models: [String: Sums], users: [[String]: Sums]) {
        let range = team.analytics.window(days: days)
        var models: [String: Sums] = [:]
        var users: [[String]: Sums] = [:]
        for row in team.consumptionRows() where range.contains(row.day) {
            models[row.modelUID, default: Sums()].add(row)
            users[[team.analytics.members[row.member].email, row.modelUID], default: Sums()].add(row)
        }
        return (models, users)
    }

    static func close(_ actual: Double?, _ hundredths: Int) -> Bool {
        guard let actual else { return false }
        return abs(actual - Double(hundredths) / 100) < 1e-6
    }

    @Test("every family equals the simulator's rows, for a team billed in credits and one billed in ACUs")
    func valuesMatchTheRows() async throws {
        let harness = try await Self.start()
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("both teams' consumption polled") {
                $0.success("windsurf_consumption", "acme") == 1 && $0.success("windsurf_consumption", "globex") == 1
            }
            for team in harness.simulator.teams {
                let credits = team.billingStrategy == .credits
                for days in [7, 30] {
                    let (models, users) = Self.expected(team, days: days)
                    #expect(!models.isEmpty && !users.isEmpty, "\(team.name) has no rows in \(days)d")
                    let scope = ["team": team.name, "window": "\(days)d"]
                    for (model, sums) in models {
                        let labels = scope.merging(["model": model]) { $1 }
                        #expect(metrics.value("windsurf_consumption_messages", labels) == Double(sums.messages), "\(labels)")
                        if credits {
                            #expect(Self.close(metrics.value("windsurf_consumption_prompt_credits", labels), sums.prompt), "\(labels)")
                            #expect(Self.close(metrics.value("windsurf_consumption_flex_credits", labels), sums.flex), "\(labels)")
                        } else {
                            #expect(Self.close(metrics.value("windsurf_consumption_acus", labels), sums.acus), "\(labels)")
                        }
                    }
                    for (key, sums) in users {
                        let labels = scope.merging(["email": key[0], "model": key[1]]) { $1 }
                        #expect(metrics.value("windsurf_user_consumption_messages", labels) == Double(sums.messages), "\(labels)")
                        if credits {
                            #expect(Self.close(metrics.value("windsurf_user_consumption_prompt_credits", labels), sums.prompt), "\(labels)")
                            #expect(Self.close(metrics.value("windsurf_user_consumption_flex_credits", labels), sums.flex), "\(labels)")
                        } else {
                            #expect(Self.close(metrics.value("windsurf_user_consumption_acus", labels), sums.acus), "\(labels)")
                        }
                    }
                    let teamSeries = metrics.samples("windsurf_consumption_messages").filter {
                        $0.labels["team"] == team.name && $0.labels["window"] == "\(days)d"
                    }
                    #expect(teamSeries.count == models.count)
                    let userSeries = metrics.samples("windsurf_user_consumption_messages").filter {
                        $0.labels["team"] == team.name && $0.labels["window"] == "\(days)d"
                    }
                    #expect(userSeries.count == users.count)
                }
                // Only the strategy's quantities are exported.
                let absent =
                    credits
                    ? ["windsurf_consumption_acus", "windsurf_user_consumption_acus"]
                    : [
                        "windsurf_consumption_prompt_credits", "windsurf_consumption_flex_credits", "windsurf_user_consumption_prompt_credits",
                        "windsurf_user_consumption_flex_credits",
                    ]
                for family in absent {
                    #expect(metrics.samples(family).allSatisfy { $0.labels["team"] != team.name }, "\(family) for \(team.name)")
                }
                #expect(
                    metrics.value("windsurf_consumption_billing_strategy_info", ["team": team.name, "strategy": credits ? "CREDITS" : "ACU"]) == 1
                )
                let freshness = try #require(metrics.value("windsurf_consumption_data_freshness_timestamp_seconds", ["team": team.name]))
                #expect(freshness <= Date().timeIntervalSince1970 && freshness > Date().timeIntervalSince1970 - 7200)
            }
            // The demo's credits team shows flex credits: some members are past their allowance.
            #expect(metrics.samples("windsurf_consumption_flex_credits").contains { $0.value > 0 })
            // The API has no group filter: acme has groups, its consumption has no group label.
            #expect(metrics.samples.filter { $0.name.contains("consumption") }.allSatisfy { $0.labels["group"] == nil })

            // One query per team, as documented: a GET with the key as a Bearer token, the longest window's days.
            let now = Date().timeIntervalSince1970
            let window = WindsurfAnalyticsWindow(days: 30, now: now)
            for team in harness.simulator.teams {
                let requests = Self.consumptionRequests(harness.simulator, team: team.name)
                #expect(requests.count == 1)
                let query = try #require(requests.first?.body)
                #expect(
                    query == "granularity=daily&group_by=user,model_uid&start_date=\(window.firstDate)&end_date=\(window.lastDate)&page_size=10000"
                )
                #expect(!query.contains(team.serviceKey))
                #expect(requests.first?.status == 200)
            }
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("privacy: pseudonymized emails; per_user false keeps the team's sums only")
    func privacy() async throws {
        let salt = Secret("pepper")
        let harness = try await Self.start(privacy: PrivacyConfiguration(pseudonymizeEmails: true, salt: salt, perUser: true))
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            let labeler = EmailLabeler(pseudonymizingWith: salt)
            let team = harness.simulator.teams[0]
            let emails = Set(
                metrics.samples("windsurf_user_consumption_messages").filter { $0.labels["team"] == team.name }.compactMap { $0.labels["email"] }
            )
            #expect(emails == Set(Self.expected(team, days: 30).users.keys.map { labeler.label(for: $0[0])! }))
            #expect(!metrics.samples.contains { $0.labels["email"]?.contains("@") == true })
        } cleanup: {
            await harness.stop()
        }

        let teamOnly = try await Self.start(privacy: PrivacyConfiguration(perUser: false))
        try await withAsyncCleanup {
            let metrics = try await teamOnly.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            #expect(metrics.samples.allSatisfy { !$0.name.hasPrefix("windsurf_user_consumption_") })
            #expect(!metrics.samples("windsurf_consumption_messages").isEmpty)
        } cleanup: {
            await teamOnly.stop()
        }
    }

    @Test("every page is followed: small pages give the same values, and only the first request is a query")
    func pagination() async throws {
        let harness = try await Self.start(beforeExporterStarts: { simulator in simulator.setConsumptionPageSize(7) })
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            let team = harness.simulator.teams[0]
            for (model, sums) in Self.expected(team, days: 30).models {
                #expect(
                    Self.close(metrics.value("windsurf_consumption_prompt_credits", ["team": "acme", "window": "30d", "model": model]), sums.prompt)
                )
            }
            let requests = Self.consumptionRequests(harness.simulator, team: "acme")
            let rows = Set(
                team.consumptionRows().filter { team.analytics.window(days: 30).contains($0.day) }.map { [$0.day, $0.member, $0.modelUID.hashValue] }
            )
            #expect(requests.count == (rows.count + 6) / 7)
            #expect(requests.count > 3)
            #expect(requests.filter { !$0.body.contains("page_cursor=") }.count == 1)
            #expect(metrics.requests("windsurf_consumption", "acme", "200") == Double(requests.count))
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("ETag: the next poll sends If-None-Match; a 304 keeps the last answer and is a success; new data is a new answer")
    func etag() async throws {
        let harness = try await Self.start(interval: .milliseconds(300))
        try await withAsyncCleanup {
            let first = try await harness.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            let metrics = try await harness.waitForMetrics("two 304 answers") { $0.requests("windsurf_consumption", "acme", "304") >= 2 }
            let landing = try await harness.request("/").body
            #expect(metrics.success("windsurf_consumption", "acme") == 1, "\(landing)")
            let requests = Self.consumptionRequests(harness.simulator, team: "acme")
            #expect(requests[0].ifNoneMatch == nil)
            #expect(requests[1].ifNoneMatch != nil && requests[1].status == 304)
            for family in ["windsurf_consumption_prompt_credits", "windsurf_user_consumption_flex_credits"] {
                #expect(metrics.samples(family) == first.samples(family))
            }
            // Every member's credits become flex credits: a new ETag, a 200 and the new values.
            harness.simulator.updateTeam(named: "acme") { $0.monthlyPromptCredits = 0 }
            let changed = try await harness.waitForMetrics("the new answer") { metrics in
                metrics.samples("windsurf_consumption_prompt_credits").filter { $0.labels["team"] == "acme" }.allSatisfy { $0.value == 0 }
            }
            let team = harness.simulator.teams[0]
            for (model, sums) in Self.expected(team, days: 7).models {
                #expect(Self.close(changed.value("windsurf_consumption_flex_credits", ["team": "acme", "window": "7d", "model": model]), sums.flex))
                #expect(sums.prompt == 0)
            }
        } cleanup: {
            await harness.stop()
        }
    }

    struct FaultCase: Sendable, CustomTestStringConvertible {
        let name: String
        let fault: WindsurfFault?
        var count: Int? = nil
        var pageSize: Int? = nil
        var strategy: SimulatedBillingStrategy? = nil
        var deny = false
        var wrongKey = false
        /// The poll interval: short where a wait must run past the next poll.
        var interval: Duration = .seconds(3600)
        let reason: String?
        let message: String
        /// Requests the first poll sends (retries included).
        let requests: Int
        var testDescription: String { name }
    }

    static let faultCases: [FaultCase] = [
        FaultCase(
            name: "401 wrong key",
            fault: nil,
            wrongKey: true,
            reason: "auth",
            message: "check the key (sent as a Bearer token)",
            requests: 1
        ),
        FaultCase(
            name: "403 without Analytics Read",
            fault: nil,
            deny: true,
            reason: "auth",
            message: "needs the Analytics Read permission",
            requests: 1
        ),
        FaultCase(name: "401 fault", fault: .unauthorized, reason: "auth", message: "HTTP 401: Invalid service key", requests: 1),
        FaultCase(
            name: "429 with a long Retry-After",
            fault: .rateLimited(retryAfter: "120"),
            interval: .seconds(1),
            reason: "rate_limited",
            message: "which runs past the next scheduled poll",
            requests: 1
        ),
        FaultCase(
            name: "429 with Retry-After 0 then success",
            fault: .rateLimited(retryAfter: "0"),
            count: 2,
            reason: nil,
            message: "",
            requests: 3
        ),
        FaultCase(
            name: "503, retried, then given up",
            fault: .serverError(status: 503),
            reason: "upstream",
            message: "the consumption API failed (HTTP 503",
            requests: 3
        ),
        FaultCase(
            name: "malformed JSON",
            fault: .malformed,
            reason: "decode",
            message: "the consumption API answered with invalid JSON",
            requests: 1
        ),
        FaultCase(
            name: "truncated JSON",
            fault: .truncated,
            reason: "decode",
            message: "the consumption API answered with invalid JSON",
            requests: 1
        ),
        FaultCase(
            name: "a cursor that loops",
            fault: .cursorLoop,
            pageSize: 7,
            reason: "upstream",
            message: "(a loop); the query was stopped",
            requests: 2
        ),
        FaultCase(
            name: "a cursor that keeps expiring",
            fault: .cursorExpired,
            pageSize: 7,
            reason: "upstream",
            message: "refused a page cursor it had just returned, twice in one poll",
            requests: 4
        ),
        FaultCase(name: "a cursor that expires once", fault: .cursorExpired, count: 1, pageSize: 7, reason: nil, message: "", requests: 0),
        FaultCase(
            name: "a billing strategy the API refuses",
            fault: nil,
            strategy: .unsupported("QUOTA"),
            reason: "config",
            message: "(HTTP 400: QUOTA billing strategy is not yet supported by this endpoint)",
            requests: 1
        ),
    ]

    @Test("every fault through the exporter: the reason, the message, the requests, and the last good data kept", arguments: faultCases)
    func faults(_ fault: FaultCase) async throws {
        var teams = [Self.demoTeams()[0]]
        if fault.deny { teams[0].deniedEndpoints = [.consumption] }
        if let strategy = fault.strategy { teams[0].billingStrategy = strategy }
        let harness = try await Self.start(
            teams: teams,
            interval: fault.interval,
            configure: { team in if fault.wrongKey { team.serviceKey = Secret("not-the-key") } },
            beforeExporterStarts: { simulator in
                if let pageSize = fault.pageSize { simulator.setConsumptionPageSize(pageSize) }
                if let injected = fault.fault { simulator.inject(injected, on: .consumption, count: fault.count) }
            }
        )
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("the first poll") { $0.success("windsurf_consumption", "acme") != nil }
            let requests = Self.consumptionRequests(harness.simulator)
            guard let reason = fault.reason else {
                #expect(metrics.success("windsurf_consumption", "acme") == 1)
                #expect(!metrics.samples("windsurf_consumption_messages").isEmpty)
                if fault.requests > 0 { #expect(requests.count == fault.requests) }
                if case .cursorExpired = fault.fault {
                    // The query started again from its first page: two queries, one refused page between them.
                    #expect(requests.filter { !$0.body.contains("page_cursor=") }.count == 2)
                    #expect(requests.filter { $0.status == 400 }.count == 1)
                }
                return
            }
            #expect(metrics.success("windsurf_consumption", "acme") == 0)
            #expect(metrics.errors("windsurf_consumption", "acme", reason) >= 1, "\(metrics.samples("usage_exporter_collector_errors_total"))")
            #expect(requests.count == fault.requests)
            let page = try await harness.request("/").body
            #expect(page.contains(fault.message), "\(page)")
            #expect(!page.contains(teams[0].serviceKey))
            #expect(metrics.samples.allSatisfy { !$0.name.contains("consumption") || $0.name.hasPrefix("usage_exporter") })
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a fault after a good poll keeps the last good data")
    func lastGoodDataKept() async throws {
        let harness = try await Self.start(interval: .milliseconds(300))
        try await withAsyncCleanup {
            let good = try await harness.waitForMetrics("both teams polled") {
                $0.success("windsurf_consumption", "acme") == 1 && $0.success("windsurf_consumption", "globex") == 1
            }
            harness.simulator.inject(.malformed, on: .consumption)
            let failing = try await harness.waitForMetrics("a failed poll") { $0.errors("windsurf_consumption", "acme", "decode") >= 1 }
            #expect(failing.samples("windsurf_user_consumption_messages") == good.samples("windsurf_user_consumption_messages"))
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("the upstream's own limit: a 429 with the Retry-After the simulator computes holds the team back, nothing more is sent")
    func upstreamRateLimit() async throws {
        let harness = try await Self.start(interval: .milliseconds(300)) { _ in
        } beforeExporterStarts: { simulator in
            simulator.setConsumptionRateLimit(queries: 1, per: .seconds(3600))
        }
        try await withAsyncCleanup {
            try await harness.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            let metrics = try await harness.waitForMetrics("three rate-limited polls") {
                $0.errors("windsurf_consumption", "acme", "rate_limited") >= 3
            }
            let requests = Self.consumptionRequests(harness.simulator, team: "acme")
            #expect(requests.map(\.status) == [200, 429])
            let heldBack = try #require(
                metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf_consumption", "source": "acme"])
            )
            #expect(heldBack > Date().timeIntervalSince1970 + 3000)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("the exporter's own budget: never an 11th query within the hour, even when polls come faster")
    func budgetNeverExceeded() async throws {
        let harness = try await Self.start(interval: .milliseconds(200)) { _ in
        } beforeExporterStarts: { simulator in
            simulator.setConsumptionRateLimit(queries: 10, per: .seconds(3600))
        }
        try await withAsyncCleanup {
            try await harness.waitForMetrics("polled") { $0.success("windsurf_consumption", "acme") == 1 }
            // Every poll is a query (a 304 is one too).
            let metrics = try await harness.waitForMetrics("a poll held back by the budget") {
                $0.errors("windsurf_consumption", "acme", "rate_limited") >= 2
            }
            let requests = Self.consumptionRequests(harness.simulator, team: "acme")
            #expect(requests.count == 10)
            #expect(requests.allSatisfy { $0.status == 200 || $0.status == 304 })
            let page = try await harness.request("/").body
            #expect(page.contains("its limit of 10 queries per 1h is used up"))
            #expect(metrics.success("windsurf_consumption", "acme") == 0)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("through the binary: reloads and a restart (with --state.file) within the hour never send an 11th query")
    func budgetAcrossReloadsAndRestarts() async throws {
        let directory = TemporaryDirectory()
        let team = Self.demoTeams()[0]
        let simulator = WindsurfSimulator(teams: [team])
        let baseURL = try await simulator.start()
        simulator.setConsumptionRateLimit(queries: 10, per: .seconds(3600))
        try await withAsyncCleanup {
            let config = directory.file("config.yml")
            let state = directory.file("state.json")
            var windows = 30
            func writeConfig() {
                directory.write(
                    "config.yml",
                    """
                    windsurf:
                      - name: acme
                        base_url: \(baseURL)
                        service_key: \(team.serviceKey)
                        interval: 1h
                        consumption: true
                        consumption_interval: 1h
                        analytics_windows: [7d, \(windows)d]

                    """
                )
            }
            func queries() -> [WindsurfSimulator.ReceivedRequest] {
                Self.consumptionRequests(simulator).filter { !$0.body.contains("page_cursor=") }
            }
            func start() async throws -> (ExporterProcess, Int) {
                let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0", "--state.file", state])
                return (child, try await child.listeningPort())
            }
            writeConfig()
            var (child, port) = try await start()
            try await waitUntil("the first query") { queries().count == 1 }
            // Every reload that changes the windows restarts the collector, which queries at once.
            for expected in 2...7 {
                windows = windows == 30 ? 31 : 30
                writeConfig()
                child.signal(SIGHUP)
                try await waitUntil("query \(expected) after a reload") { queries().count == expected }
            }
            // A restart remembers the queries of the hour in the state file.
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
            (child, port) = try await start()
            try await waitUntil("query 8 after the restart") { queries().count == 8 }
            for expected in 9...10 {
                windows = windows == 30 ? 31 : 30
                writeConfig()
                child.signal(SIGHUP)
                try await waitUntil("query \(expected) after a reload") { queries().count == expected }
            }
            // The 11th within the hour is held back until the first leaves the window: nothing is sent.
            let first = try #require(queries().first).receivedAt.timeIntervalSince1970
            windows = windows == 30 ? 31 : 30
            writeConfig()
            child.signal(SIGHUP)
            let held = try await child.waitForMetrics(port: port, "the 11th query held back") { metrics in
                (metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf_consumption", "source": "acme"])
                    ?? 0)
                    > first + 3000
            }
            let until = try #require(held.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf_consumption"]))
            #expect(until > first + 3599 && until < first + 3601)  // sent just before the simulator saw it
            // And after another restart, at once, from the state file.
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
            (child, port) = try await start()
            try await child.waitForMetrics(port: port, "held back after the restart") { metrics in
                (metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf_consumption", "source": "acme"])
                    ?? 0)
                    > first + 3000
            }
            let page = try await child.request("/", port: port).body
            #expect(page.contains("<td>\(RFC3339Timestamp.format(until)) (in "))
            #expect(queries().count == 10)
            #expect(Self.consumptionRequests(simulator).allSatisfy { $0.status == 200 })
            let saved = try String(contentsOfFile: state, encoding: .utf8)
            #expect(saved.contains("\"scope\":\"acme\"") && !saved.contains(team.serviceKey))
            child.signal(SIGTERM)
            _ = try await child.waitForExit(timeout: .seconds(10))
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test(
        "every fault through the binary: the reason on /metrics and the message on the landing page, no consumption series",
        arguments: faultCases.filter { $0.reason != nil }
    )
    func faultsThroughTheBinary(_ fault: FaultCase) async throws {
        let directory = TemporaryDirectory()
        var team = Self.demoTeams()[0]
        if fault.deny { team.deniedEndpoints = [.consumption] }
        if let strategy = fault.strategy { team.billingStrategy = strategy }
        let simulator = WindsurfSimulator(teams: [team])
        let baseURL = try await simulator.start()
        if let pageSize = fault.pageSize { simulator.setConsumptionPageSize(pageSize) }
        // The configuration's floor is 6m: a Retry-After of an hour runs past the next poll.
        let injected: WindsurfFault? = fault.fault.map { if case .rateLimited = $0 { .rateLimited(retryAfter: "3600") } else { $0 } }
        if let injected { simulator.inject(injected, on: .consumption, count: fault.count) }
        try await withAsyncCleanup {
            let key = directory.write("key", (fault.wrongKey ? "not-the-key" : team.serviceKey) + "\n")
            let config = directory.write(
                "config.yml",
                """
                windsurf:
                  - name: acme
                    base_url: \(baseURL)
                    service_key_file: \(key)
                    consumption: true
                    consumption_interval: 6m

                """
            )
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0"])
            let port = try await child.listeningPort()
            let metrics = try await child.waitForMetrics(port: port, timeout: .seconds(30), "the consumption poll failed") {
                $0.success("windsurf_consumption", "acme") == 0
            }
            #expect(metrics.errors("windsurf_consumption", "acme", fault.reason ?? "") == 1)
            #expect(metrics.samples.allSatisfy { !$0.name.hasPrefix("windsurf_consumption_") && !$0.name.hasPrefix("windsurf_user_consumption_") })
            let page = try await child.request("/", port: port).body
            let message = if case .rateLimited = fault.fault { "which runs past the next scheduled poll" } else { fault.message }
            #expect(page.contains(message), "\(page)")
            #expect(!page.contains(team.serviceKey) && !child.standardErrorText.contains(team.serviceKey))
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
        } cleanup: {
            await simulator.stop()
        }
    }
}
