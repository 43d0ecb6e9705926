import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// `Retry-After` is a promise to the upstream, for every source: once a wait runs past the next scheduled
/// poll and ends the poll, the next poll still fires, but no request of that source leaves for that
/// endpoint before the instant the header named.
@Suite("Retry-After across polls", .serialized)
struct RetryAfterPromiseTests {
    static func acme() -> SimulatedWindsurfTeam {
        WindsurfDatasetGenerator(seed: 11).team(name: "acme", serviceKey: "k-acme", groups: [], users: 5, now: Date().timeIntervalSince1970)
    }

    @Test("interval 2s, Retry-After 3: the poll ends rate_limited, the next request to each endpoint waits for the instant")
    func windsurfEndpointsWaitForTheInstant() async throws {
        let teams = [Self.acme()]
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(2)))
        }
        try await withAsyncCleanup {
            try await harness.waitForMetrics("a first good poll of both collectors") {
                $0.success("windsurf", "acme") == 1 && $0.success("windsurf_credit_balance", "acme") == 1
            }
            harness.simulator.inject(.rateLimited(retryAfter: "3"), on: .userPageAnalytics, count: 1)
            harness.simulator.inject(.rateLimited(retryAfter: "3"), on: .teamCreditBalance, count: 1)
            let metrics = try await harness.waitForMetrics(timeout: .seconds(30), "both collectors polled again after the wait") { metrics in
                ["windsurf", "windsurf_credit_balance"].allSatisfy { collector in
                    metrics.errors(collector, "acme", "rate_limited") >= 1 && metrics.success(collector, "acme") == 1
                }
            }
            for (endpoint, collector) in [(WindsurfEndpoint.userPageAnalytics, "windsurf"), (.teamCreditBalance, "windsurf_credit_balance")] {
                let requests = harness.simulator.receivedRequests.filter { $0.endpoint == endpoint }
                let limited = try #require(requests.firstIndex { $0.fault != nil })
                let next = try #require(requests.indices.first { $0 > limited })
                let gap = requests[next].receivedAt.timeIntervalSince(requests[limited].receivedAt)
                print("\(endpoint.rawValue): next request \(String(format: "%.3f", gap)) s after the 429 with Retry-After: 3 (interval 2s)")
                // The hold counts from the answer's arrival, which is after the simulator saw the request.
                #expect(gap >= 3, "\(endpoint.rawValue) was asked again \(gap) s after Retry-After: 3")
                #expect(gap < 6, "\(endpoint.rawValue) waited \(gap) s: one poll should have waited for the instant")
                // The poll that the header ended, and no other: the next one waited within its own interval.
                #expect(metrics.errors(collector, "acme", "rate_limited") == 1)
                #expect(metrics.requests(collector, "acme", "429") == 1)
                let heldBack = try #require(
                    metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": collector, "source": "acme"])
                )
                let arrival = requests[limited].receivedAt.timeIntervalSince1970
                #expect(heldBack >= arrival + 3 && heldBack < arrival + 3.5)
            }
            // Sources that were never held back export 0.
            #expect(try await harness.metrics().samples("usage_exporter_collector_held_back_until_timestamp_seconds").count == 2)
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("while held back, the landing page shows until when, and the source sends nothing")
    func landingPageShowsTheHoldBack() async throws {
        let teams = [Self.acme()]
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            var team = ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .milliseconds(300))[0]
            team.creditBalance = false
            return ExporterConfiguration(windsurf: [team])
        }
        try await withAsyncCleanup {
            try await harness.waitForMetrics("a first good poll") { $0.success("windsurf", "acme") == 1 }
            harness.simulator.inject(.rateLimited(retryAfter: "120"), on: .userPageAnalytics, count: 1)
            let metrics = try await harness.waitForMetrics("three polls ended while held back") { $0.errors("windsurf", "acme", "rate_limited") >= 3 }
            // One request got the 429; the polls after it sent nothing.
            #expect(metrics.requests("windsurf", "acme", "429") == 1)
            #expect(
                Double(harness.simulator.receivedRequests.filter { $0.endpoint == .userPageAnalytics }.count) == metrics.requests(
                    "windsurf",
                    "acme",
                    "200"
                ) + 1
            )
            let heldBack = try #require(
                metrics.value("usage_exporter_collector_held_back_until_timestamp_seconds", ["collector": "windsurf", "source": "acme"])
            )
            #expect(heldBack > Date().timeIntervalSince1970 + 100)
            let page = try await harness.request("/").body
            #expect(page.contains("<th>Held back until</th>"))
            #expect(page.contains("<td>\(RFC3339Timestamp.format(heldBack)) (in "))
            #expect(page.contains("which is after the next scheduled poll; nothing was sent"))
        } cleanup: {
            await harness.stop()
        }
    }

    @Test("Google Workspace: a 429 with Retry-After holds the report endpoint back across polls too")
    func googleWaitsForTheInstant() async throws {
        let google = GoogleSimulator(
            customer: GoogleDatasetGenerator(seed: 5).customer(emails: ["a@example.com"], extraUsers: 1, now: Date().timeIntervalSince1970),
            account: TestKeys.account
        )
        let baseURL = try await google.start()
        let configuration = GoogleWorkspaceCustomerConfiguration(
            name: "example.com",
            credentialsFile: "/dev/null",
            credentials: try ServiceAccountKey(json: google.keyFileJSON()),
            subject: "admin@example.com",
            interval: .seconds(1),
            timeout: .seconds(5),
            baseURL: baseURL
        )
        let harness = try await ExporterHarness.start(
            windsurf: nil,
            google: google,
            configuration: ExporterConfiguration(googleWorkspace: [configuration])
        )
        try await withAsyncCleanup {
            try await harness.waitForMetrics("a first good poll") { $0.success("google_workspace_customer", "example.com") == 1 }
            let before = google.receivedRequests.count
            google.inject(.tooManyRequests(retryAfter: "2"), on: .customer, count: 1)
            try await harness.waitForMetrics("a poll ended by the header, then a good one") {
                $0.errors("google_workspace_customer", "example.com", "rate_limited") >= 1
                    && $0.success("google_workspace_customer", "example.com") == 1
            }
            let reports = google.receivedRequests.dropFirst(before).filter { $0.path.contains("/usage/dates/") }
            let limited = try #require(reports.first)
            let next = try #require(reports.dropFirst().first)
            let gap = next.receivedAt.timeIntervalSince(limited.receivedAt)
            print("Google customer report: next request \(String(format: "%.3f", gap)) s after the 429 with Retry-After: 2 (interval 1s)")
            #expect(gap >= 2)
        } cleanup: {
            await harness.stop()
        }
    }
}
