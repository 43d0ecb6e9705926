import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// The `windsurf_analytics` collector against the Windsurf simulator over real HTTP: every family value for
/// value against the simulator's rows (summed here, independently of the simulator's query evaluator), the
/// requests it sends, its errors, the api_key join, and the key never leaving memory.
@Suite("Windsurf analytics integration", .serialized, .awayFromDayBoundaries)
struct AnalyticsIntegrationTests {
    static func demoTeams(users: Int = 60) -> [SimulatedWindsurfTeam] {
        WindsurfDatasetGenerator(seed: 11).demoTeams(users: users, now: Date().timeIntervalSince1970)
    }

    static func start(
        teams: [SimulatedWindsurfTeam] = demoTeams(),
        interval: Duration = .seconds(3600),
        privacy: PrivacyConfiguration = PrivacyConfiguration(),
        windows: [Int] = [7, 30],
        beforeExporterStarts: (WindsurfSimulator) -> Void = { _ in }
    ) async throws -> ExporterHarness {
        try await ExporterHarness.start(teams: teams, beforeExporterStarts: beforeExporterStarts) { baseURL in
            let configurations = ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(3600)).map { team in
                var team = team
                team.analytics = true
                team.analyticsWindows = windows
                team.analyticsInterval = interval
                return team
            }
            return ExporterConfiguration(windsurf: configurations, privacy: privacy)
        }
    }

    static func analyticsRequests(_ simulator: WindsurfSimulator) -> [WindsurfSimulator.ReceivedRequest] {
        simulator.receivedRequests.filter { $0.endpoint == .cascadeAnalytics || $0.endpoint == .analytics }
    }

    func close(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-9) -> Bool {
        guard let actual else { return false }
        return abs(actual - expected) <= tolerance * max(1, abs(expected))
    }

    @Test("every analytics family equals the simulator's rows, per team, group and window")
    func valuesMatchTheRows() async throws {
        let harness = try await Self.start()
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("the analytics polled") {
                $0.success("windsurf_analytics", "acme") == 1 && $0.success("windsurf_analytics", "globex") == 1
            }
            for team in harness.simulator.teams {
                let analytics = team.analytics
                let emailByKey = Dictionary(uniqueKeysWithValues: team.users.map { ($0.apiKey, $0.normalizedEmail) })
                for group in team.groups.isEmpty ? [nil] : team.groups.map(Optional.some) {
                    for days in [7, 30] {
                        var labels = ["team": team.name, "window": "\(days)d"]
                        if let group { labels["group"] = group }
                        let range = analytics.window(days: days)
                        let context = "\(team.name)/\(group ?? "-")/\(days)d"

                        // Cascade: lines and tools from the rows outside the CLI; runs from all of them.
                        let runs = analytics.cascadeRows(inGroup: group, days: range)
                        let editorRuns = runs.filter { $0.ideType != "cli" }
                        #expect(
                            metrics.value("windsurf_cascade_lines_suggested", labels) == Double(editorRuns.reduce(0) { $0 + $1.linesSuggested }),
                            "\(context)"
                        )
                        #expect(
                            metrics.value("windsurf_cascade_lines_accepted", labels) == Double(editorRuns.reduce(0) { $0 + $1.linesAccepted }),
                            "\(context)"
                        )
                        #expect(
                            metrics.value("windsurf_cascade_conversations", labels) == Double(Set(runs.map(analytics.cascadeId(of:))).count),
                            "\(context)"
                        )
                        var byModel: [[String]: (messages: Int, hundredths: Int)] = [:]
                        for run in runs {
                            byModel[[run.model, run.mode], default: (0, 0)].messages += run.messagesSent
                            byModel[[run.model, run.mode], default: (0, 0)].hundredths += run.promptsUsed
                        }
                        let messages = metrics.samples("windsurf_cascade_messages_sent").filter {
                            $0.labels.filter { $0.key != "model" && $0.key != "mode" } == labels
                        }
                        #expect(messages.count == byModel.count, "\(context)")
                        for (key, totals) in byModel {
                            let series = labels.merging(["model": key[0], "mode": key[1]]) { $1 }
                            #expect(metrics.value("windsurf_cascade_messages_sent", series) == Double(totals.messages), "\(context) \(key)")
                            #expect(
                                close(metrics.value("windsurf_cascade_prompt_credits_used", series), Double(totals.hundredths) / 100),
                                "\(context) \(key)"
                            )
                        }
                        var tools: [String: Int] = [:]
                        for run in editorRuns { for call in run.toolCalls { tools[call.tool, default: 0] += call.count } }
                        for (tool, count) in tools where count > 0 {
                            #expect(
                                metrics.value("windsurf_cascade_tool_calls", labels.merging(["tool": tool]) { $1 }) == Double(count),
                                "\(context) \(tool)"
                            )
                        }

                        // Autocomplete, by language and IDE, distinct users, and per user through the api_key join.
                        let rows = analytics.autocompleteRows(inGroup: group, days: range)
                        var byLanguage: [[String]: (acceptances: Int, lines: Int, bytes: Int)] = [:]
                        var byMember: [Int: (acceptances: Int, lines: Int)] = [:]
                        for row in rows {
                            byLanguage[[row.language, row.ide], default: (0, 0, 0)].acceptances += row.acceptances
                            byLanguage[[row.language, row.ide], default: (0, 0, 0)].lines += row.linesAccepted
                            byLanguage[[row.language, row.ide], default: (0, 0, 0)].bytes += row.bytesAccepted
                            byMember[row.member, default: (0, 0)].acceptances += row.acceptances
                            byMember[row.member, default: (0, 0)].lines += row.linesAccepted
                        }
                        for (key, totals) in byLanguage {
                            let series = labels.merging(["language": key[0], "ide": key[1]]) { $1 }
                            #expect(metrics.value("windsurf_autocomplete_acceptances", series) == Double(totals.acceptances), "\(context) \(key)")
                            #expect(metrics.value("windsurf_autocomplete_lines_accepted", series) == Double(totals.lines), "\(context) \(key)")
                            #expect(metrics.value("windsurf_autocomplete_accepted_bytes", series) == Double(totals.bytes), "\(context) \(key)")
                        }
                        #expect(metrics.value("windsurf_autocomplete_users", labels) == Double(Set(rows.map(\.member)).count), "\(context)")
                        var perUser = 0
                        for (member, totals) in byMember {
                            guard let email = emailByKey[analytics.members[member].apiKey] else {
                                #expect(analytics.members[member].departed, "\(context): a row of a member neither on the page nor departed")
                                continue
                            }
                            perUser += 1
                            let series = labels.merging(["email": email]) { $1 }
                            #expect(
                                metrics.value("windsurf_user_autocomplete_acceptances", series) == Double(totals.acceptances),
                                "\(context) \(email)"
                            )
                            #expect(metrics.value("windsurf_user_autocomplete_lines_accepted", series) == Double(totals.lines), "\(context) \(email)")
                        }
                        #expect(
                            metrics.samples("windsurf_user_autocomplete_acceptances").filter { $0.labels.filter { $0.key != "email" } == labels }
                                .count == perUser
                        )

                        // Percent Code Written.
                        let written = analytics.codeWrittenRows(inGroup: group, days: range)
                        let autocomplete = written.reduce(0) { $0 + $1.autocompleteBytes }
                        let command = written.reduce(0) { $0 + $1.commandBytes }
                        let user = written.reduce(0) { $0 + $1.userBytes }
                        #expect(
                            metrics.value("windsurf_code_written_bytes", labels.merging(["author": "autocomplete"]) { $1 }) == Double(autocomplete),
                            "\(context)"
                        )
                        #expect(
                            metrics.value("windsurf_code_written_bytes", labels.merging(["author": "command"]) { $1 }) == Double(command),
                            "\(context)"
                        )
                        #expect(metrics.value("windsurf_code_written_bytes", labels.merging(["author": "user"]) { $1 }) == Double(user), "\(context)")
                        let total = Double(autocomplete + command + user)
                        if total > 0 {
                            // As the API gives it: rounded to two decimals.
                            #expect(
                                close(
                                    metrics.value("windsurf_ai_code_written_ratio", labels),
                                    (Double(autocomplete + command) / total * 100).rounded() / 100
                                ),
                                "\(context)"
                            )
                        } else {
                            #expect(metrics.value("windsurf_ai_code_written_ratio", labels) == nil, "\(context)")
                        }
                    }
                }
            }
            #expect(metrics.value("windsurf_team_add_on_credit_cap", ["team": "acme"]) == 1500)
            #expect(metrics.value("windsurf_team_add_on_credit_cap", ["team": "globex"]) == nil)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a window longer than the data: the days that have rows count, nothing more")
    func windowLongerThanTheData() async throws {
        let now = Date().timeIntervalSince1970
        var team = WindsurfDatasetGenerator(seed: 15).team(name: "young", serviceKey: "k-young", groups: [], users: 25, now: now)
        team.analytics = WindsurfAnalyticsGenerator(seed: 15, days: 10).analytics(for: team, now: now)
        let harness = try await Self.start(teams: [team], windows: [30])
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("polled") { $0.success("windsurf_analytics", "young") == 1 }
            let analytics = harness.simulator.teams[0].analytics
            #expect(analytics.lastDay - analytics.firstDay <= 10)
            // Everything but today (outside every window).
            let rows = analytics.cascadeRows(days: analytics.firstDay..<analytics.lastDay).filter { $0.ideType != "cli" }
            #expect(!rows.isEmpty)
            #expect(
                metrics.value("windsurf_cascade_lines_suggested", ["team": "young", "window": "30d"])
                    == Double(rows.reduce(0) { $0 + $1.linesSuggested })
            )
            let autocomplete = analytics.autocompleteRows(days: analytics.firstDay..<analytics.lastDay)
            #expect(
                metrics.value("windsurf_autocomplete_users", ["team": "young", "window": "30d"]) == Double(Set(autocomplete.map(\.member)).count)
            )
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("one poll of a team with 2 groups and 2 windows: 2 user pages, 4 CascadeAnalytics, 4 Analytics with 4 named queries each")
    func requests() async throws {
        let harness = try await Self.start()
        try await withAsyncCleanup {
            try await harness.waitForMetrics("the analytics polled") { $0.success("windsurf_analytics", "acme") == 1 }
            let acme = harness.simulator.receivedRequests.filter { $0.serviceKey == "demo-acme-service-key" }
            let metrics = try await harness.metrics()
            #expect(metrics.requests("windsurf_analytics", "acme", "200") == 10)
            #expect(acme.filter { $0.endpoint == .cascadeAnalytics }.count == 4)
            #expect(acme.filter { $0.endpoint == .analytics }.count == 4)
            #expect(acme.filter { $0.endpoint == .usageConfig }.count == 1)
            let today = (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400
            for request in acme where request.endpoint == .cascadeAnalytics || request.endpoint == .analytics {
                #expect(["platform", "design"].contains(request.groupName))
                #expect(request.endTimestamp == RFC3339Timestamp.format(today))
                #expect([7.0, 30].map { RFC3339Timestamp.format(today - $0 * 86_400) }.contains(request.startTimestamp ?? ""))
                let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
                let queries = try #require(body["query_requests"] as? [[String: Any]])
                #expect(body["ide_types"] == nil)
                if request.endpoint == .cascadeAnalytics {
                    #expect(queries.map { $0.keys.sorted() } == [["cascade_lines"], ["cascade_runs"], ["cascade_tool_usage"]])
                } else {
                    #expect(queries.count == 4)
                    for query in queries {
                        let selections = query["selections"] as? [[String: Any]] ?? []
                        let aggregations = query["aggregations"] as? [[String: Any]] ?? []
                        #expect(!selections.isEmpty)
                        #expect((selections + aggregations).allSatisfy { ($0["name"] as? String)?.isEmpty == false })
                    }
                }
            }
        } cleanup: {
            await harness.stop()
        }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let fault: WindsurfFault
        let reason: String
        let code: String
        /// Requests per failed poll: 1 when not retried, the test policy's 3 attempts when retried.
        let attempts: Int
        var endpoint: WindsurfEndpoint = .analytics
        var testDescription: String { "\(endpoint.rawValue): \(fault) → \(reason)" }
    }

    @Test(
        "each error of the analytics endpoints gives its reason; the last good data stays; the user page collector is untouched",
        arguments: [
            ErrorCase(fault: .insufficientPermissions(), reason: "auth", code: "403", attempts: 1),
            ErrorCase(fault: .insufficientPermissions(status: 200), reason: "auth", code: "200", attempts: 1),
            ErrorCase(fault: .unauthorized, reason: "auth", code: "401", attempts: 1),
            ErrorCase(fault: .queryError(.invalidQueryTable), reason: "config", code: "400", attempts: 1),
            ErrorCase(fault: .queryError(.mixedAggregationFunctions), reason: "config", code: "400", attempts: 1),
            ErrorCase(fault: .queryError(.duplicateAlias("acceptances")), reason: "config", code: "400", attempts: 1),
            ErrorCase(
                fault: .queryError(.invalidAggregationFunction(type: "string", field: "ide", function: "QUERY_AGGREGATION_SUM")),
                reason: "config",
                code: "400",
                attempts: 1
            ),
            ErrorCase(
                fault: .queryError(.distinctFieldAggregated(field: "distinct_developer_days", instead: ["api_key", "date"])),
                reason: "config",
                code: "400",
                attempts: 1
            ),
            ErrorCase(fault: .rateLimited(retryAfter: "0"), reason: "rate_limited", code: "429", attempts: 3),
            ErrorCase(fault: .serverError(status: 502), reason: "upstream", code: "502", attempts: 3),
            ErrorCase(fault: .malformed, reason: "decode", code: "200", attempts: 1),
            ErrorCase(fault: .insufficientPermissions(), reason: "auth", code: "403", attempts: 1, endpoint: .cascadeAnalytics),
            ErrorCase(fault: .rateLimited(retryAfter: "0"), reason: "rate_limited", code: "429", attempts: 3, endpoint: .cascadeAnalytics),
            ErrorCase(fault: .serverError(status: 503), reason: "upstream", code: "503", attempts: 3, endpoint: .cascadeAnalytics),
            ErrorCase(fault: .malformed, reason: "decode", code: "200", attempts: 1, endpoint: .cascadeAnalytics),
        ]
    )
    func errors(_ error: ErrorCase) async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 12).team(name: "solo", serviceKey: "k-solo", groups: [], users: 15, now: Date().timeIntervalSince1970)
        ]
        let harness = try await Self.start(teams: teams, interval: .milliseconds(300), windows: [7])
        try await withAsyncCleanup {
            let good = try await harness.waitForMetrics("a good analytics poll") { $0.success("windsurf_analytics", "solo") == 1 }
            let lines = good.value("windsurf_cascade_lines_suggested", ["team": "solo", "window": "7d"])
            #expect(lines != nil)
            harness.simulator.inject(error.fault, on: error.endpoint)
            let failed = try await harness.waitForMetrics("two failed analytics polls") {
                $0.success("windsurf_analytics", "solo") == 0 && $0.errors("windsurf_analytics", "solo", error.reason) >= 2
            }
            for reason in ["auth", "rate_limited", "upstream", "timeout", "network", "decode", "config"] where reason != error.reason {
                #expect(failed.errors("windsurf_analytics", "solo", reason) == 0, "\(reason)")
            }
            // Final errors are sent once per poll, transient ones up to the policy's attempts.
            let faulted = harness.simulator.receivedRequests.filter { $0.endpoint == error.endpoint && $0.fault != nil }.count
            let polls = Int(failed.errors("windsurf_analytics", "solo", error.reason))
            #expect(faulted >= polls * error.attempts && faulted < (polls + 1) * error.attempts)
            // The last good data stays, and the user page collector never noticed.
            #expect(failed.value("windsurf_cascade_lines_suggested", ["team": "solo", "window": "7d"]) == lines)
            #expect(failed.success("windsurf", "solo") == 1)
            for reason in ["auth", "rate_limited", "upstream", "decode", "config"] {
                #expect(failed.errors("windsurf", "solo", reason) == 0)
            }
            harness.simulator.clearFaults()
            try await harness.waitForMetrics("recovery") { $0.success("windsurf_analytics", "solo") == 1 }
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("GetUsageConfig: the cap in either spelling, absent on {}")
    func creditCap() async throws {
        var teams = WindsurfDatasetGenerator(seed: 13).demoTeams(users: 10, now: Date().timeIntervalSince1970)
        teams[0].addOnCreditCap = 250
        teams[0].addOnCreditCapSpelling = .snakeCase
        teams[1].addOnCreditCap = nil
        let harness = try await Self.start(teams: teams)
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("the credit balance polled") {
                $0.success("windsurf_credit_balance", "acme") == 1 && $0.success("windsurf_credit_balance", "globex") == 1
            }
            #expect(metrics.value("windsurf_team_add_on_credit_cap", ["team": "acme"]) == 250)
            #expect(metrics.samples("windsurf_team_add_on_credit_cap").count == 1)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a GetUsageConfig refused for good costs only the cap: the credit balance is still exported")
    func capRefused() async throws {
        let teams = WindsurfDatasetGenerator(seed: 16).demoTeams(users: 10, now: Date().timeIntervalSince1970)
        let harness = try await Self.start(teams: teams) { $0.inject(.insufficientPermissions(), on: .usageConfig) }
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("the credit balance polled") { $0.success("windsurf_credit_balance", "acme") == 1 }
            #expect(metrics.value("windsurf_team_seats", ["team": "acme"]) == Double(teams[0].seats))
            #expect(metrics.samples("windsurf_team_add_on_credit_cap").isEmpty)
            #expect(metrics.requests("windsurf_credit_balance", "acme", "403") == 1)
            #expect(metrics.errors("windsurf_credit_balance", "acme", "auth") == 0)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test(
        "GetUsageConfig failing after its retries fails the credit-balance poll and keeps the last good cap; a malformed answer costs only the cap",
        arguments: [WindsurfFault.serverError(status: 503), .rateLimited(retryAfter: "0"), .malformed]
    )
    func capFaults(_ fault: WindsurfFault) async throws {
        var teams = WindsurfDatasetGenerator(seed: 17).demoTeams(users: 10, now: Date().timeIntervalSince1970)
        teams[0].addOnCreditCap = 250
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .milliseconds(300)))
        }
        try await withAsyncCleanup {
            try await harness.waitForMetrics("the cap polled") { $0.value("windsurf_team_add_on_credit_cap", ["team": "acme"]) == 250 }
            harness.simulator.inject(fault, on: .usageConfig)
            let faulted = { harness.simulator.receivedRequests.filter { $0.endpoint == .usageConfig && $0.fault != nil }.count }
            if case .malformed = fault {
                // Not retried: the next poll exports the balance without the cap, and succeeds.
                let metrics = try await harness.waitForMetrics("the balance without the cap") {
                    $0.samples("windsurf_team_add_on_credit_cap").isEmpty && $0.success("windsurf_credit_balance", "acme") == 1
                }
                #expect(metrics.value("windsurf_team_seats", ["team": "acme"]) == Double(teams[0].seats))
                #expect(metrics.errors("windsurf_credit_balance", "acme", "decode") == 0)
                #expect(faulted() >= 1)
            } else {
                let reason = if case .rateLimited = fault { "rate_limited" } else { "upstream" }
                let metrics = try await harness.waitForMetrics("the credit-balance poll failed") {
                    $0.success("windsurf_credit_balance", "acme") == 0 && $0.errors("windsurf_credit_balance", "acme", reason) >= 1
                }
                #expect(metrics.value("windsurf_team_add_on_credit_cap", ["team": "acme"]) == 250)
                #expect(metrics.value("windsurf_team_seats", ["team": "acme"]) == Double(teams[0].seats))
                #expect(faulted() >= 3)  // retried as elsewhere
            }
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("per_user: false and pseudonymized emails: no per-user analytics without per_user, pseudonyms with it")
    func privacy() async throws {
        let teams = WindsurfDatasetGenerator(seed: 14).demoTeams(users: 20, now: Date().timeIntervalSince1970)
        let aggregates = try await Self.start(teams: teams, privacy: PrivacyConfiguration(perUser: false))
        try await withAsyncCleanup {
            let metrics = try await aggregates.waitForMetrics("polled") {
                $0.success("windsurf_analytics", "globex") == 1 && $0.success("windsurf_analytics", "acme") == 1
            }
            #expect(metrics.samples("windsurf_user_autocomplete_acceptances").isEmpty)
            #expect(metrics.samples("windsurf_autocomplete_users").count == 2 * 3)
            // Without per-user series the analytics collector does not ask for the user page.
            #expect(metrics.requests("windsurf_analytics", "globex", "200") == 4)
        } cleanup: {
            await aggregates.stop()
        }
        let salted = try await Self.start(teams: teams, privacy: PrivacyConfiguration(pseudonymizeEmails: true, salt: Secret("pepper")))
        try await withAsyncCleanup {
            let metrics = try await salted.waitForMetrics("polled") { $0.success("windsurf_analytics", "globex") == 1 }
            let emails = Set(metrics.samples("windsurf_user_autocomplete_acceptances").compactMap { $0.labels["email"] })
            let labeler = EmailLabeler(pseudonymizingWith: Secret("pepper"))
            #expect(!emails.isEmpty)
            #expect(emails.isSubset(of: Set(teams.flatMap(\.users).compactMap { labeler.label(for: $0.email) })))
        } cleanup: {
            await salted.stop()
        }
    }

    @Test("through the binary, no output ever shows a user's apiKey: metrics in both formats, the landing page, debug logs")
    func keysNeverLeaveMemory() async throws {
        let teams = Self.demoTeams(users: 40)
        let keys = teams.flatMap { $0.users.map(\.apiKey) + $0.analytics.members.map(\.apiKey) }
        #expect(keys.count > 40 && keys.allSatisfy { $0.count > 10 })
        let simulator = WindsurfSimulator(teams: teams)
        let baseURL = try await simulator.start()
        try await withAsyncCleanup {
            let directory = TemporaryDirectory()
            let team = { (name: String, key: String, groups: String) in
                "  - name: \(name)\n    base_url: \(baseURL)\n    service_key: \(key)\n    analytics: true\n    credit_balance: true\n\(groups)"
            }
            let config = directory.write(
                "config.yml",
                "windsurf:\n" + team("acme", "demo-acme-service-key", "    groups: [platform, design]\n")
                    + team("globex", "demo-globex-service-key", "")
            )
            let child = try ExporterProcess(arguments: ["--config.file", config, "--web.listen-address", "127.0.0.1:0", "--log.level", "debug"])
            let port = try await child.listeningPort()
            try await child.waitForMetrics(port: port, "the analytics polled") {
                $0.success("windsurf_analytics", "acme") == 1 && $0.success("windsurf_analytics", "globex") == 1
            }
            // A failing poll too: its error and retry logs must not carry a key either.
            simulator.inject(.malformed, on: .analytics, count: 1)
            var outputs = [
                try await child.request("/metrics", port: port).body,
                try await child.request("/", port: port).body,
            ]
            var openMetrics = HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics")
            openMetrics.headers.add(name: "Accept", value: "application/openmetrics-text;version=1.0.0")
            outputs.append(String(buffer: try await TestHTTPClient.shared.execute(openMetrics, timeout: .seconds(10)).body.collect(upTo: 64 << 20)))
            #expect(outputs[0].contains("windsurf_user_autocomplete_acceptances{"))
            child.signal(SIGTERM)
            #expect(try await child.waitForExit(timeout: .seconds(10)) == 0)
            outputs.append(child.standardErrorText)
            outputs.append(child.standardOutputText)
            #expect(outputs[3].contains("level=debug"))
            for (index, output) in outputs.enumerated() {
                for key in keys { #expect(!output.contains(key), "output \(index) shows a key") }
                #expect(!output.contains("sk-ws-"), "output \(index)")
            }
            withExtendedLifetime(directory) {}
        } cleanup: {
            await simulator.stop()
        }
    }
}
