import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import UsageExporterSimulator

/// The simulator's consumption API itself, over HTTP, as the Analytics API v2 documents it: the tests of the
/// exporter rely on it answering like the real one.
@Suite("Consumption simulator", .serialized)
struct ConsumptionSimulatorTests {
    static let teams = WindsurfDatasetGenerator(seed: 17).demoTeams(users: 30, now: Date().timeIntervalSince1970)

    struct Answer {
        let status: Int
        let etag: String?
        let retryAfter: String?
        let json: [String: Any]
        let text: String
    }

    static func get(
        _ simulator: WindsurfSimulator,
        _ query: String,
        key: String? = teams[0].serviceKey,
        ifNoneMatch: String? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: simulator.baseURL + "/api/v2alpha/analytics/consumption" + (query.isEmpty ? "" : "?" + query))
        if let key { request.headers.add(name: "Authorization", value: "Bearer \(key)") }
        if let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = String(buffer: try await response.body.collect(upTo: 64 << 20))
        let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
        return Answer(
            status: Int(response.status.code),
            etag: response.headers.first(name: "ETag"),
            retryAfter: response.headers.first(name: "Retry-After"),
            json: json,
            text: body
        )
    }

    static func rows(_ answer: Answer) -> [[String: Any]] { answer.json["data"] as? [[String: Any]] ?? [] }
    static func cursor(_ answer: Answer) -> String? { (answer.json["pagination"] as? [String: Any])?["next_page_cursor"] as? String }

    static func start() async throws -> WindsurfSimulator {
        let simulator = WindsurfSimulator(teams: teams)
        try await simulator.start()
        simulator.setConsumptionRateLimit(queries: 1_000, per: .seconds(3600))
        return simulator
    }

    @Test("groupings and granularities; each strategy's fields; the documented metadata")
    func shapes() async throws {
        let simulator = try await Self.start()
        try await withAsyncCleanup {
            let daily = try await Self.get(simulator, "granularity=daily&group_by=user,model_uid&start_date=2020-01-01&end_date=2020-03-30")
            #expect(daily.status == 200 && Self.rows(daily).isEmpty)
            let today = RFC3339Day.today
            let range = "start_date=\(RFC3339Day.string(today - 30))&end_date=\(RFC3339Day.string(today - 1))"
            let perUser = try await Self.get(simulator, "granularity=daily&group_by=user,model_uid&" + range)
            let first = try #require(Self.rows(perUser).first)
            #expect(Set(first.keys) == ["timestamp", "user_id", "user_email", "model_uid", "consumption"])
            #expect(Set((first["consumption"] as? [String: Any] ?? [:]).keys) == ["prompt_credits", "flex_credits", "message_count"])
            let metadata = perUser.json["metadata"] as? [String: Any] ?? [:]
            #expect(metadata["billing_strategy"] as? String == "CREDITS")
            #expect(Set(metadata.keys) == ["billing_strategy", "data_freshness", "query_time_ms", "team_id"])
            #expect((perUser.json["pagination"] as? [String: Any])?["next_page_cursor"] is NSNull)

            let total = try await Self.get(simulator, range)
            #expect(Self.rows(total).count == 1 && Self.rows(total)[0]["timestamp"] == nil)
            let monthly = try await Self.get(simulator, "granularity=monthly&group_by=ide&" + range)
            #expect(Self.rows(monthly).allSatisfy { ($0["timestamp"] as? String)?.count == 7 && $0["ide"] is String })
            let messages = { (answer: Answer) in
                Self.rows(answer).reduce(0) { $0 + (($1["consumption"] as? [String: Any])?["message_count"] as? Int ?? 0) }
            }
            #expect(messages(total) == messages(monthly) && messages(total) == messages(perUser) && messages(total) > 0)

            let acu = try await Self.get(simulator, "group_by=user&" + range, key: Self.teams[1].serviceKey)
            let acuRow = try #require(Self.rows(acu).first)
            #expect(Set((acuRow["consumption"] as? [String: Any] ?? [:]).keys) == ["billed_acus", "message_count"])
            #expect((acu.json["metadata"] as? [String: Any])?["billing_strategy"] as? String == "ACU")
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test(
        "requests the API refuses",
        arguments: [
            ("group_by=model_uid", "invalid group_by"), ("granularity=hourly", "invalid granularity"),
            ("start_date=2026-13-01", "invalid start_date"),
            ("start_date=2026-01-02&end_date=2026-01-01", "start_date is after end_date"),
            ("start_date=2025-01-01&end_date=2025-12-31", "at most 90 days"), ("page_size=10001", "invalid page_size"),
            ("page_size=0", "invalid page_size"),
            ("product=agent", "unknown query parameter: product"), ("page_cursor=bm9wZQ", "invalid page cursor"),
            ("granularity=daily&granularity=monthly", "more than once"),
        ]
    )
    func refusals(_ query: String, _ message: String) async throws {
        let simulator = try await Self.start()
        try await withAsyncCleanup {
            let answer = try await Self.get(simulator, query)
            #expect(answer.status == 400)
            #expect((answer.json["error"] as? String)?.contains(message) == true, "\(answer.text)")
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("the key as a Bearer token, its permission, a strategy the API does not serve")
    func keys() async throws {
        var teams = Self.teams
        teams[1].deniedEndpoints = [.consumption]
        teams.append(
            WindsurfDatasetGenerator(seed: 3).team(name: "initech", serviceKey: "k-initech", groups: [], users: 3, now: Date().timeIntervalSince1970)
        )
        teams[2].billingStrategy = .unsupported("QUOTA")
        let simulator = WindsurfSimulator(teams: teams)
        try await simulator.start()
        try await withAsyncCleanup {
            #expect(try await Self.get(simulator, "", key: nil).status == 401)
            #expect(try await Self.get(simulator, "", key: "wrong").json["error"] as? String == "Invalid service key")
            let denied = try await Self.get(simulator, "", key: teams[1].serviceKey)
            #expect(denied.status == 403 && denied.json["error"] as? String == "Insufficient permissions")
            let quota = try await Self.get(simulator, "", key: "k-initech")
            #expect(quota.status == 400 && quota.json["error"] as? String == "QUOTA billing strategy is not yet supported by this endpoint")
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("pages follow one another to the end; a cursor belongs to its query and expires; pages are not counted as queries")
    func pagination() async throws {
        let simulator = try await Self.start()
        try await withAsyncCleanup {
            simulator.setConsumptionPageSize(5)
            simulator.setConsumptionRateLimit(queries: 1, per: .seconds(3600))
            let query = "granularity=daily&group_by=user,model_uid&page_size=10000"
            var answer = try await Self.get(simulator, query)
            var rows = Self.rows(answer)
            var pages = 1
            let firstCursor = try #require(Self.cursor(answer))
            while let cursor = Self.cursor(answer) {
                let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? cursor
                answer = try await Self.get(simulator, query + "&page_cursor=" + encoded)
                #expect(answer.status == 200)
                rows += Self.rows(answer)
                pages += 1
            }
            #expect(pages > 2 && rows.count > 10 && Self.rows(answer).count <= 5)
            let keys = rows.map { "\($0["timestamp"]!)/\($0["user_email"]!)/\($0["model_uid"]!)" }
            #expect(Set(keys).count == keys.count)
            // The same cursor with another query is refused; the query itself is now rate limited.
            let encoded = firstCursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? firstCursor
            let other = try await Self.get(simulator, "granularity=monthly&group_by=user,model_uid&page_cursor=" + encoded)
            #expect(other.status == 400 && (other.json["error"] as? String)?.contains("another query") == true)
            let limited = try await Self.get(simulator, query)
            #expect(limited.status == 429 && Int(limited.retryAfter ?? "") ?? 0 > 3500)
            simulator.setCursorLifetime(.zero)
            let expired = try await Self.get(simulator, query + "&page_cursor=" + encoded)
            #expect(expired.status == 400 && expired.json["error"] as? String == "page cursor expired")
        } cleanup: {
            await simulator.stop()
        }
    }

    @Test("ETag: the same query answers 304 to If-None-Match until its data changes")
    func etag() async throws {
        let simulator = try await Self.start()
        try await withAsyncCleanup {
            let first = try await Self.get(simulator, "group_by=user")
            let etag = try #require(first.etag)
            let again = try await Self.get(simulator, "group_by=user", ifNoneMatch: etag)
            #expect(again.status == 304 && again.text.isEmpty && again.etag == etag)
            #expect(try await Self.get(simulator, "group_by=ide", ifNoneMatch: etag).status == 200)
            simulator.updateTeam(named: Self.teams[0].name) { $0.monthlyPromptCredits = 0 }
            let changed = try await Self.get(simulator, "group_by=user", ifNoneMatch: etag)
            #expect(changed.status == 200 && changed.etag != etag)
        } cleanup: {
            await simulator.stop()
        }
    }
}

/// UTC days for query strings.
enum RFC3339Day {
    static var today: Int { Int((Date().timeIntervalSince1970 / 86_400).rounded(.down)) }

    static func string(_ day: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: Double(day) * 86_400))
    }
}
