import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// The real HTTP server and collectors against the Windsurf simulator over real HTTP.
@Suite("Windsurf integration", .serialized)
struct WindsurfIntegrationTests {
    static func demoTeams(users: Int = 40) -> [SimulatedWindsurfTeam] {
        WindsurfDatasetGenerator(seed: 7).demoTeams(users: users, now: Date().timeIntervalSince1970)
    }

    static func start(
        teams: [SimulatedWindsurfTeam] = demoTeams(),
        interval: Duration = .milliseconds(300),
        timeout: Duration = .seconds(5),
        retryPolicy: RetryPolicy = ExporterHarness.fastRetries,
        beforeExporterStarts: (WindsurfSimulator) -> Void = { _ in }
    ) async throws -> ExporterHarness {
        try await ExporterHarness.start(teams: teams, retryPolicy: retryPolicy, beforeExporterStarts: beforeExporterStarts) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: interval, timeout: timeout))
        }
    }

    @Test("every family equals what the simulator served")
    func valuesMatchTheSimulator() async throws {
        let harness = try await Self.start(interval: .seconds(60))
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let before = Date().timeIntervalSince1970
            let response = try await harness.request("/metrics")
            let after = Date().timeIntervalSince1970
            #expect(response.status == 200)
            #expect(response.headers.first(name: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let metrics = ParsedExposition(response.body)

            for team in harness.simulator.teams {
                let scopes: [String?] = team.groups.isEmpty ? [nil] : team.groups
                for group in scopes {
                    var scope = ["team": team.name]
                    if let group { scope["group"] = group }
                    let users = team.users(inGroup: group)
                    #expect(
                        metrics.samples("windsurf_user_info").filter { $0.labels["team"] == team.name && $0.labels["group"] == group }.count
                            == users.count
                    )
                    for user in users {
                        let labels = scope.merging(["email": user.normalizedEmail]) { $1 }
                        let info = metrics.samples("windsurf_user_info").first { sample in labels.allSatisfy { sample.labels[$0.key] == $0.value } }
                        #expect(
                            info?.labels == labels.merging(["name": user.name, "role": user.role, "team_status": user.exportedTeamStatus]) { $1 }
                        )
                        #expect(info?.value == 1)
                        #expect(metrics.value("windsurf_user_prompt_credits_used", labels) == Double(user.promptCreditsUsed) / 100)
                        #expect(metrics.value("windsurf_user_active_dates", labels) == Double(user.activeDays))
                        #expect(metrics.value("windsurf_user_disabled", labels) == (user.disabled ? 1 : 0))
                        #expect(close(metrics.value("windsurf_user_signup_timestamp_seconds", labels), user.signupTime?.value))
                        #expect(close(metrics.value("windsurf_user_last_update_timestamp_seconds", labels), user.lastUpdateTime?.value))
                        let kinds = [
                            "autocomplete": user.lastAutocompleteUsageTime, "chat": user.lastChatUsageTime, "command": user.lastCommandUsageTime,
                        ]
                        for (kind, time) in kinds {
                            let kindLabels = labels.merging(["kind": kind]) { $1 }
                            #expect(close(metrics.value("windsurf_user_last_usage_timestamp_seconds", kindLabels), time?.value))
                            let age = metrics.value("windsurf_user_last_usage_age_seconds", kindLabels)
                            if let time {
                                let age = try #require(age)
                                #expect(age >= before - time.value - 0.001 && age <= after - time.value + 0.001)
                            } else {
                                #expect(age == nil)
                            }
                        }
                    }
                    var byRoleAndStatus: [[String]: Int] = [:]
                    for user in users { byRoleAndStatus[[user.role, user.exportedTeamStatus], default: 0] += 1 }
                    for (key, count) in byRoleAndStatus {
                        #expect(metrics.value("windsurf_users", scope.merging(["role": key[0], "team_status": key[1]]) { $1 }) == Double(count))
                    }
                    #expect(
                        metrics.samples("windsurf_users").filter { $0.labels["team"] == team.name && $0.labels["group"] == group }.count
                            == byRoleAndStatus.count
                    )
                    for (window, seconds) in [("1d", 86_400.0), ("7d", 604_800.0), ("30d", 2_592_000.0)] {
                        let expected = users.filter { ($0.lastUsage ?? -.infinity) >= before - seconds }.count
                        #expect(metrics.value("windsurf_active_users", scope.merging(["window": window]) { $1 }) == Double(expected))
                    }
                    let credits = users.reduce(0) { $0 + $1.promptCreditsUsed }
                    #expect(close(metrics.value("windsurf_prompt_credits_used", scope), Double(credits) / 100))
                }
                let teamLabels = ["team": team.name]
                #expect(metrics.value("windsurf_billing_cycle_start_timestamp_seconds", teamLabels) == team.billingCycleStart.value)
                #expect(metrics.value("windsurf_billing_cycle_end_timestamp_seconds", teamLabels) == team.billingCycleEnd.value)
                #expect(metrics.value("windsurf_team_seats", teamLabels) == Double(team.seats))
                #expect(metrics.value("windsurf_team_prompt_credits_per_seat", teamLabels) == Double(team.promptCreditsPerSeat))
                #expect(metrics.value("windsurf_team_add_on_credits_available", teamLabels) == Double(team.addOnCreditsAvailable))
                #expect(metrics.value("windsurf_team_add_on_credits_used", teamLabels) == Double(team.addOnCreditsUsed))
                #expect(metrics.success("windsurf", team.name) == 1)
                #expect(metrics.success("windsurf_credit_balance", team.name) == 1)
                #expect(metrics.requests("windsurf", team.name, "200") == Double(scopes.count))
                // GetTeamCreditBalance and GetUsageConfig.
                #expect(metrics.requests("windsurf_credit_balance", team.name, "200") == 2)
                #expect(metrics.value("windsurf_team_add_on_credit_cap", teamLabels) == team.addOnCreditCap.map(Double.init))
                #expect(
                    (metrics.value("usage_exporter_collector_last_success_timestamp_seconds", ["collector": "windsurf", "source": team.name]) ?? 0)
                        > before - 60
                )
            }
            #expect(metrics.value("usage_exporter_build_info", ["version": ExporterVersion.version]) == 1)
            #expect(metrics.value("usage_exporter_config_last_reload_successful") == 1)
            for sample in metrics.samples where sample.name == "usage_exporter_collector_errors_total" {
                #expect(sample.value == 0)
            }
            // No user's apiKey, and no service key, anywhere in the output.
            #expect(!response.body.contains("sk-ws-"))
            #expect(!response.body.contains("service-key"))
            // Every family has HELP and TYPE.
            for name in Set(metrics.samples.map(\.name)) {
                #expect(metrics.types[name] != nil && metrics.helps[name] != nil, "\(name)")
            }

            // What the collector asked for: every group, a 30-day window ending now.
            let requests = harness.simulator.receivedRequests.filter { $0.endpoint == .userPageAnalytics }
            #expect(Set(requests.map(\.groupName)) == [nil, "platform", "design"])
            for request in requests {
                let start = try #require(request.startTimestamp.flatMap { try? Date($0, strategy: .iso8601) })
                let end = try #require(request.endTimestamp.flatMap { try? Date($0, strategy: .iso8601) })
                #expect(abs(end.timeIntervalSince(start) - 30 * 86_400) <= 1)
                #expect(abs(end.timeIntervalSince1970 - before) < 60)
            }
        } cleanup: {
            await harness.stop()
        }
    }

    func close(_ actual: Double?, _ expected: Double?) -> Bool {
        switch (actual, expected) {
        case (nil, nil): true
        case (let actual?, let expected?): abs(actual - expected) <= 1e-6 * max(1, abs(expected))
        default: false
        }
    }

    struct FaultCase: Sendable, CustomTestStringConvertible {
        let fault: WindsurfFault
        let reason: String
        let code: String
        /// Requests per failed poll: 1 when not retried, the policy's 3 attempts when retried.
        let requestsPerPoll: Int
        var testDescription: String { "\(fault) → \(reason)" }
    }

    @Test(
        "each upstream fault gives its reason and keeps the last good series",
        arguments: [
            FaultCase(fault: .unauthorized, reason: "auth", code: "401", requestsPerPoll: 1),
            FaultCase(fault: .forbidden, reason: "auth", code: "403", requestsPerPoll: 1),
            FaultCase(fault: .invalidGroup, reason: "config", code: "400", requestsPerPoll: 1),
            FaultCase(fault: .rateLimited(retryAfter: "0"), reason: "rate_limited", code: "429", requestsPerPoll: 3),
            FaultCase(fault: .serverError(status: 500), reason: "upstream", code: "500", requestsPerPoll: 3),
            FaultCase(fault: .serverError(status: 503), reason: "upstream", code: "503", requestsPerPoll: 3),
            FaultCase(fault: .malformed, reason: "decode", code: "200", requestsPerPoll: 1),
            FaultCase(fault: .truncated, reason: "decode", code: "200", requestsPerPoll: 1),
            FaultCase(fault: .errorField("Invalid service key"), reason: "auth", code: "200", requestsPerPoll: 1),
        ]
    )
    func faults(_ fault: FaultCase) async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 3).team(name: "acme", serviceKey: "k-acme", groups: [], users: 12, now: Date().timeIntervalSince1970)
        ]
        let harness = try await Self.start(teams: teams, interval: .milliseconds(200))
        try await withAsyncCleanup {
            let good = try await harness.waitForMetrics("first successful poll") { $0.success("windsurf", "acme") == 1 }
            let goodCredits = good.samples("windsurf_user_prompt_credits_used")
            #expect(goodCredits.count == 12)

            harness.simulator.inject(fault.fault, on: .userPageAnalytics)
            let failed = try await harness.waitForMetrics("two failed polls with reason \(fault.reason)") {
                $0.success("windsurf", "acme") == 0 && $0.errors("windsurf", "acme", fault.reason) >= 2
            }
            // The last good data stays, value for value.
            #expect(failed.samples("windsurf_user_prompt_credits_used") == goodCredits)
            // No other reason was counted.
            for reason in ["auth", "rate_limited", "upstream", "timeout", "network", "decode", "config"] where reason != fault.reason {
                #expect(failed.errors("windsurf", "acme", reason) == 0, "\(reason)")
            }
            // Final errors are not retried; transient ones are, up to the policy's attempts.
            let errors = failed.errors("windsurf", "acme", fault.reason)
            // Good answers (all before the fault, so their count no longer changes) share the 200 code of some faults.
            let goodAnswers = harness.simulator.receivedRequests.filter { $0.endpoint == .userPageAnalytics && $0.fault == nil }.count
            let requests = failed.requests("windsurf", "acme", fault.code) - (fault.code == "200" ? Double(goodAnswers) : 0)
            #expect(requests >= errors * Double(fault.requestsPerPoll))
            #expect(requests < (errors + 1) * Double(fault.requestsPerPoll))
            // The credit balance collector is unaffected.
            #expect(failed.success("windsurf_credit_balance", "acme") == 1)

            harness.simulator.clearFaults()
            try await harness.waitForMetrics("recovery") { $0.success("windsurf", "acme") == 1 }
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("429 with Retry-After in seconds or as an HTTP-date is waited out within the poll")
    func retryAfter() async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 3).team(name: "acme", serviceKey: "k-acme", groups: [], users: 3, now: Date().timeIntervalSince1970)
        ]
        let retryPolicy = RetryPolicy(maximumAttempts: 5, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))
        // An HTTP-date has whole seconds: the instant the header names, not "3 s from now".
        let retryDate = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 3).rounded(.down))
        let harness = try await Self.start(teams: teams, interval: .seconds(60), retryPolicy: retryPolicy) { simulator in
            simulator.inject(.rateLimited(retryAfter: "1"), on: .userPageAnalytics, count: 1)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
            simulator.inject(.rateLimited(retryAfter: formatter.string(from: retryDate)), on: .userPageAnalytics, count: 1)
        }
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("success after two 429s") { $0.success("windsurf", "acme") == 1 }
            #expect(metrics.requests("windsurf", "acme", "429") == 2)
            #expect(metrics.requests("windsurf", "acme", "200") == 1)
            #expect(metrics.errors("windsurf", "acme", "rate_limited") == 0)
            let times = harness.simulator.receivedRequests.filter { $0.endpoint == .userPageAnalytics }.map(\.receivedAt)
            #expect(times.count == 3)
            #expect(times[1].timeIntervalSince(times[0]) >= 0.95)  // Retry-After: 1
            #expect(times[2].timeIntervalSince(retryDate) >= -0.05)  // not before the HTTP-date
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("a user removed upstream disappears after the next poll; the others stay")
    func departedUser() async throws {
        let teams = Self.demoTeams(users: 20)
        let harness = try await Self.start(teams: teams, interval: .milliseconds(200))
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let departed = teams[1].users[5].normalizedEmail
            let stayer = teams[1].users[6].normalizedEmail
            let before = try await harness.metrics()
            #expect(before.samples.contains { $0.labels["email"] == departed })
            harness.simulator.updateTeam(named: teams[1].name) { team in team.users.remove(at: 5) }
            let after = try await harness.waitForMetrics("the departed user's series vanish") { metrics in
                !metrics.samples.contains { $0.labels["email"] == departed }
            }
            #expect(after.value("windsurf_user_info", ["email": stayer]) == 1)
            #expect(after.samples("windsurf_user_info").filter { $0.labels["team"] == teams[1].name }.count == teams[1].users.count - 1)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("/metrics answers from the last snapshot while the upstream hangs; the poll then fails with reason timeout")
    func hangingUpstream() async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 3).team(name: "acme", serviceKey: "k-acme", groups: [], users: 5, now: Date().timeIntervalSince1970)
        ]
        let retryPolicy = RetryPolicy(maximumAttempts: 1)
        let harness = try await Self.start(teams: teams, interval: .milliseconds(100), timeout: .seconds(2), retryPolicy: retryPolicy)
        try await withAsyncCleanup {
            try await harness.waitForMetrics("first success") { $0.success("windsurf", "acme") == 1 }
            harness.simulator.inject(.hang, on: .userPageAnalytics)
            try await waitUntil("a request held by the simulator") { harness.simulator.receivedRequests.contains { $0.fault == .hang } }
            let whileHanging = try await harness.metrics()
            #expect(whileHanging.samples("windsurf_user_info").count == 5)
            #expect(whileHanging.errors("windsurf", "acme", "timeout") == 0)
            let timedOut = try await harness.waitForMetrics("the poll times out") { $0.errors("windsurf", "acme", "timeout") >= 1 }
            #expect(timedOut.success("windsurf", "acme") == 0)
            #expect(timedOut.requests("windsurf", "acme", "error") >= 1)
            #expect(timedOut.samples("windsurf_user_info").count == 5)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("an unreachable upstream is reason network")
    func unreachable() async throws {
        let teams = [
            WindsurfDatasetGenerator(seed: 3).team(name: "acme", serviceKey: "k-acme", groups: [], users: 5, now: Date().timeIntervalSince1970)
        ]
        let harness = try await ExporterHarness.start(teams: teams) { _ in
            // Port 9 (discard) on loopback: nothing listens, the connection is refused.
            ExporterConfiguration(
                windsurf: ExporterHarness.teamConfigurations(teams, baseURL: "http://127.0.0.1:9", interval: .milliseconds(200), timeout: .seconds(1))
            )
        }
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics("a network error") { $0.errors("windsurf", "acme", "network") >= 1 }
            #expect(metrics.success("windsurf", "acme") == 0)
            #expect(metrics.requests("windsurf", "acme", "error") >= 3)
            #expect(metrics.samples("windsurf_user_info").isEmpty)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("/-/ready flips after the first poll; /-/healthy, the landing page, HEAD and 404")
    func endpoints() async throws {
        let teams = Self.demoTeams(users: 10)
        let harness = try await Self.start(teams: teams, interval: .seconds(60)) { simulator in
            simulator.inject(.slow(seconds: 1.5), on: .userPageAnalytics, count: 3)
        }
        try await withAsyncCleanup {
            let notReady = try await harness.request("/-/ready")
            #expect(notReady.status == 503)
            #expect(notReady.body.contains("windsurf/acme"))
            #expect(try await harness.request("/-/healthy").status == 200)
            try await harness.waitUntilReady()
            #expect(try await harness.request("/-/ready").status == 200)

            let landing = try await harness.request("/")
            #expect(landing.status == 200)
            #expect(landing.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            #expect(landing.body.contains(#"<a href="/metrics">"#))
            #expect(landing.body.contains(ExporterVersion.version))
            for team in teams {
                #expect(landing.body.contains("<td>\(team.name)</td>"))
                #expect(!landing.body.contains(team.serviceKey))
            }

            let head = try await harness.request("/metrics", method: .HEAD)
            let get = try await harness.request("/metrics")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
            #expect(head.headers.first(name: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8")
            let length = Int(head.headers.first(name: "Content-Length") ?? "") ?? -1
            #expect(abs(length - get.body.utf8.count) < 200)  // process_* and self-metrics may move between the two

            #expect(try await harness.request("/-/ready", method: .HEAD).status == 200)
            #expect(try await harness.request("/-/healthy", method: .HEAD).status == 200)
            let reloadByGet = try await harness.request("/-/reload")
            #expect(reloadByGet.status == 405)
            #expect(reloadByGet.headers.first(name: "Allow") == "POST")
            #expect(try await harness.request("/nope").status == 404)
            #expect(try await harness.request("/metrics/extra").status == 404)
            #expect(try await harness.request("/metrics", method: .POST).status != 200)
        } cleanup: {
            await harness.stop()
        }
    }
}
