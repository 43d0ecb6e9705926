import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import UsageExporter
import UsageExporterSimulator

/// The Windsurf simulator's analytics endpoints (`CascadeAnalytics`, `Analytics`, `GetUsageConfig`) over real HTTP:
/// answer shapes, the custom-analytics evaluator against row sums computed here independently, every documented
/// error message, faults, and the generated data's consistency with the user page.
@Suite("Analytics simulator")
struct AnalyticsSimulatorTests {
    /// 2026-01-01T13:30:00Z: a fixed clock, so that the data is the same on every run.
    static let now = 1_767_274_200.0
    static let teams = WindsurfDatasetGenerator(seed: 17).demoTeams(users: 150, now: now)
    static var acme: SimulatedWindsurfTeam { teams[0] }
    static var globex: SimulatedWindsurfTeam { teams[1] }

    // MARK: Helpers

    /// Runs `body` against a simulator of `teams`, stopping it afterwards.
    func withSimulator<T>(_ teams: [SimulatedWindsurfTeam] = Self.teams, _ body: (WindsurfSimulator) async throws -> T) async throws -> T {
        let simulator = WindsurfSimulator(teams: teams)
        try await simulator.start()
        return try await withAsyncCleanup {
            try await body(simulator)
        } cleanup: {
            await simulator.stop()
        }
    }

    struct Answer {
        let status: Int
        let headers: HTTPHeaders
        let text: String
        var object: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:] }
        var error: String? { object["error"] as? String }
    }

    func post(_ simulator: WindsurfSimulator, _ endpoint: String, _ body: [String: Any]) async throws -> Answer {
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        return try await post(simulator, endpoint, text: String(decoding: data, as: UTF8.self))
    }

    func post(_ simulator: WindsurfSimulator, _ endpoint: String, text: String) async throws -> Answer {
        var request = HTTPClientRequest(url: simulator.baseURL + "/api/v1/" + endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: text))
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), headers: response.headers, text: String(buffer: body))
    }

    static func selection(_ field: String, _ name: String, _ function: String? = nil) -> [String: Any] {
        var selection: [String: Any] = ["field": field, "name": name]
        if let function { selection["aggregation_function"] = "QUERY_AGGREGATION_" + function }
        return selection
    }

    static func filter(_ name: String, _ op: String, _ value: String) -> [String: Any] {
        ["name": name, "filter": "QUERY_FILTER_" + op, "value": value]
    }

    static func aggregation(_ field: String, _ name: String) -> [String: Any] {
        ["field": field, "name": name]
    }

    /// The days of a window of `days` complete UTC days before today, as SPEC.md defines it.
    static func window(_ days: Int, of team: SimulatedWindsurfTeam) -> Range<Int> {
        (team.analytics.lastDay - days)..<team.analytics.lastDay
    }

    static func timestamp(_ day: Int) -> String { RFC3339Timestamp.date(ofDay: day) + "T00:00:00Z" }

    static func dateFilters(_ days: Range<Int>) -> [[String: Any]] {
        [
            filter("date", "GE", RFC3339Timestamp.date(ofDay: days.lowerBound)),
            filter("date", "LE", RFC3339Timestamp.date(ofDay: days.upperBound - 1)),
        ]
    }

    static func analyticsBody(
        _ team: SimulatedWindsurfTeam,
        group: String? = nil,
        days: Range<Int>? = nil,
        _ queries: [[String: Any]]
    ) -> [String: Any] {
        var body: [String: Any] = ["service_key": team.serviceKey, "query_requests": queries]
        if let group { body["group_name"] = group }
        if let days {
            body["start_timestamp"] = timestamp(days.lowerBound)
            body["end_timestamp"] = timestamp(days.upperBound)
        }
        return body
    }

    /// `queryResults[index].responseItems[].item`, `{}` elements as empty items.
    static func items(_ answer: Answer, _ index: Int = 0) -> [[String: String]] {
        let results = answer.object["queryResults"] as? [[String: Any]] ?? []
        guard index < results.count else { return [] }
        let elements = results[index]["responseItems"] as? [[String: Any]] ?? []
        return elements.map { ($0["item"] as? [String: String]) ?? [:] }
    }

    static func number(_ item: [String: String], _ alias: String) -> Int {
        item[alias].flatMap { Int($0) } ?? 0
    }

    /// Rows of `team` for `group` (nil: all) on `days`.
    static func autocompleteRows(_ team: SimulatedWindsurfTeam, group: String? = nil, days: Range<Int>) -> [SimulatedAutocompleteRow] {
        team.analytics.autocomplete.filter { days.contains($0.day) && team.analytics.members[$0.member].isCounted(inGroup: group) }
    }

    static func cascadeRows(_ team: SimulatedWindsurfTeam, group: String? = nil, days: Range<Int>) -> [SimulatedCascadeRow] {
        team.analytics.cascade.filter { days.contains($0.day) && team.analytics.members[$0.member].isCounted(inGroup: group) }
    }

    // MARK: CascadeAnalytics

    @Test("CascadeAnalytics answers each query in order, with the reference's shapes and the rows' sums")
    func cascadeAnalytics() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let days = Self.window(30, of: team)
            let body: [String: Any] = [
                "service_key": team.serviceKey, "start_timestamp": Self.timestamp(days.lowerBound), "end_timestamp": Self.timestamp(days.upperBound),
                "query_requests": [["cascade_runs": [:]], ["cascade_lines": [:]], ["cascade_tool_usage": [:]], ["cascade_lines": [:]]],
            ]
            let answer = try await post(simulator, "CascadeAnalytics", body)
            #expect(answer.status == 200)
            #expect(answer.headers.first(name: "Content-Type") == "application/json")
            let results = try #require(answer.object["queryResults"] as? [[String: Any]])
            #expect(results.map { $0.keys.sorted() } == [["cascadeRuns"], ["cascadeLines"], ["cascadeToolUsage"], ["cascadeLines"]])
            let runs = try #require((results[0]["cascadeRuns"] as? [String: Any])?["cascadeRuns"] as? [[String: Any]])
            let lines = try #require((results[1]["cascadeLines"] as? [String: Any])?["cascadeLines"] as? [[String: Any]])
            let tools = try #require((results[2]["cascadeToolUsage"] as? [String: Any])?["cascadeToolUsage"] as? [[String: Any]])
            #expect((results[3]["cascadeLines"] as? [String: Any])?["cascadeLines"] as? [[String: Any]] == nil ? false : true)

            // Every value a string; every day midnight UTC inside the window (end exclusive).
            for row in runs + lines + tools {
                #expect(row.values.allSatisfy { $0 is String })
            }
            let validDays = Set(days.map(Self.timestamp))
            #expect(runs.allSatisfy { validDays.contains($0["day"] as? String ?? "") })
            #expect(lines.allSatisfy { validDays.contains($0["day"] as? String ?? "") })
            #expect(tools.allSatisfy { $0["day"] == nil && $0["tool"] is String && $0["count"] is String })

            let rows = Self.cascadeRows(team, days: days)
            // Runs: one per row, same sums per model and mode, same conversations.
            #expect(runs.count == rows.count)
            var expectedRuns: [String: [Int]] = [:]
            for row in rows {
                expectedRuns["\(row.model)|\(row.mode)", default: [0, 0]][0] += row.messagesSent
                expectedRuns["\(row.model)|\(row.mode)", default: [0, 0]][1] += row.promptsUsed
            }
            var servedRuns: [String: [Int]] = [:]
            for run in runs {
                let key = "\(run["model"] as? String ?? "")|\(run["mode"] as? String ?? "")"
                servedRuns[key, default: [0, 0]][0] += Int(run["messagesSent"] as? String ?? "0") ?? -1
                servedRuns[key, default: [0, 0]][1] += Int(run["promptsUsed"] as? String ?? "0") ?? -1
            }
            #expect(servedRuns == expectedRuns)
            #expect(Set(runs.compactMap { $0["cascadeId"] as? String }).count == Set(rows.map(\.conversation)).count)
            #expect(Set(runs.compactMap { $0["cascadeId"] as? String }) == Set(rows.map(team.analytics.cascadeId(of:))))
            #expect(runs.contains { $0["promptsUsed"] == nil }, "SWE-1.5 rows omit promptsUsed")

            // Lines: per day, sums of the non-cli rows.
            var expectedLines: [String: [Int]] = [:]
            for row in rows where row.ideType != "cli" {
                expectedLines[Self.timestamp(row.day), default: [0, 0]][0] += row.linesSuggested
                expectedLines[Self.timestamp(row.day), default: [0, 0]][1] += row.linesAccepted
            }
            var servedLines: [String: [Int]] = [:]
            for line in lines {
                servedLines[line["day"] as? String ?? ""] = [
                    Int(line["linesSuggested"] as? String ?? "0") ?? -1, Int(line["linesAccepted"] as? String ?? "0") ?? -1,
                ]
            }
            #expect(lines.count == servedLines.count, "one row per day")
            #expect(servedLines == expectedLines)
            #expect(lines.map { $0["day"] as? String ?? "" } == lines.map { $0["day"] as? String ?? "" }.sorted())

            // Tools: calls per tool over the window.
            var expectedTools: [String: Int] = [:]
            for row in rows where row.ideType != "cli" { for call in row.toolCalls { expectedTools[call.tool, default: 0] += call.count } }
            var servedTools: [String: Int] = [:]
            for tool in tools { servedTools[tool["tool"] as? String ?? ""] = Int(tool["count"] as? String ?? "") ?? -1 }
            #expect(servedTools == expectedTools)
            #expect(!Set(servedTools.keys).isDisjoint(with: SimulatedAnalyticsVocabulary.undocumentedTools))

            // The exact request is recorded.
            let recorded = try #require(simulator.receivedRequests.last)
            #expect(recorded.endpoint == .cascadeAnalytics)
            #expect(recorded.body.contains("\"cascade_tool_usage\":{}"))
        }
    }

    @Test("CascadeAnalytics: a group's users, a list of emails, IDE types, zero fields omitted, an empty range")
    func cascadeAnalyticsScopes() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let days = Self.window(30, of: team)
            func lines(_ extra: [String: Any], days: Range<Int> = days) async throws -> (Answer, [[String: Any]]) {
                var body: [String: Any] = [
                    "service_key": team.serviceKey, "start_timestamp": Self.timestamp(days.lowerBound),
                    "end_timestamp": Self.timestamp(days.upperBound),
                    "query_requests": [["cascade_lines": [:]], ["cascade_runs": [:]], ["cascade_tool_usage": [:]]],
                ]
                body.merge(extra) { $1 }
                let answer = try await post(simulator, "CascadeAnalytics", body)
                #expect(answer.status == 200, "\(answer.text)")
                let results = answer.object["queryResults"] as? [[String: Any]] ?? []
                return (answer, (results.first?["cascadeLines"] as? [String: Any])?["cascadeLines"] as? [[String: Any]] ?? [])
            }
            func suggested(_ rows: [[String: Any]]) -> Int { rows.reduce(0) { $0 + (Int($1["linesSuggested"] as? String ?? "0") ?? 0) } }

            // A group: its members only; a member of both groups counts in both.
            let platform = Self.cascadeRows(team, group: "platform", days: days).filter { $0.ideType != "cli" }
            let design = Self.cascadeRows(team, group: "design", days: days).filter { $0.ideType != "cli" }
            let all = Self.cascadeRows(team, days: days).filter { $0.ideType != "cli" }
            #expect(try await suggested(lines(["group_name": "platform"]).1) == platform.reduce(0) { $0 + $1.linesSuggested })
            #expect(try await suggested(lines(["group_name": "design"]).1) == design.reduce(0) { $0 + $1.linesSuggested })
            #expect(platform.count + design.count > all.count, "members of two groups count in both")

            // Emails, matched trimmed and case-insensitively.
            let member = try #require(all.first.map { team.analytics.members[$0.member] })
            let mine = all.filter { team.analytics.members[$0.member].email == member.email }
            #expect(try await suggested(lines(["emails": ["  " + member.email.uppercased()]]).1) == mine.reduce(0) { $0 + $1.linesSuggested })

            // A member-day with suggested lines but none accepted: its row omits linesAccepted.
            var perDay: [[Int]: [Int]] = [:]
            for row in team.analytics.cascade where row.ideType != "cli" {
                perDay[[row.member, row.day], default: [0, 0]][0] += row.linesSuggested
                perDay[[row.member, row.day], default: [0, 0]][1] += row.linesAccepted
            }
            let rejected = try #require(perDay.first { $0.value[0] > 0 && $0.value[1] == 0 }?.key)
            let (_, rejectedRows) = try await lines(["emails": [team.analytics.members[rejected[0]].email]], days: rejected[1]..<(rejected[1] + 1))
            #expect(rejectedRows.count == 1)
            #expect(rejectedRows.first?["linesAccepted"] == nil)
            #expect(rejectedRows.first?["linesSuggested"] as? String == String(perDay[rejected]?[0] ?? -1))

            // ide_types cli: only cascade_runs has rows.
            let (cli, cliLines) = try await lines(["ide_types": ["cli"]])
            #expect(cliLines.isEmpty)
            let cliResults = cli.object["queryResults"] as? [[String: Any]] ?? []
            #expect(cliResults.count == 3)
            #expect((cliResults[0]["cascadeLines"] as? [String: Any])?.isEmpty == true, "an empty list is omitted: {\"cascadeLines\":{}}")
            #expect((cliResults[2]["cascadeToolUsage"] as? [String: Any])?.isEmpty == true)
            let cliRuns = (cliResults[1]["cascadeRuns"] as? [String: Any])?["cascadeRuns"] as? [[String: Any]] ?? []
            #expect(cliRuns.count == Self.cascadeRows(team, days: days).filter { $0.ideType == "cli" }.count)
            #expect(!cliRuns.isEmpty)
            let (jetbrains, _) = try await lines(["ide_types": ["jetbrains"]])
            let jetbrainsRuns =
                ((jetbrains.object["queryResults"] as? [[String: Any]])?[1]["cascadeRuns"] as? [String: Any])?["cascadeRuns"] as? [[String: Any]]
            #expect(jetbrainsRuns?.count == Self.cascadeRows(team, days: days).filter { $0.ideType == "jetbrains" }.count)

            // A range without data.
            let (_, none) = try await lines([:], days: 10_000..<10_007)
            #expect(none.isEmpty)
        }
    }

    // MARK: Custom analytics

    @Test("Analytics: USER_DATA sums grouped by language and ide equal the rows' sums, zero values omitted")
    func sumsByLanguageAndIDE() async throws {
        try await withSimulator { simulator in
            for team in Self.teams {
                for days in [Self.window(7, of: team), Self.window(30, of: team)] {
                    let query: [String: Any] = [
                        "data_source": "QUERY_DATA_SOURCE_USER_DATA",
                        "selections": [
                            Self.selection("num_acceptances", "acceptances", "SUM"), Self.selection("num_lines_accepted", "lines", "SUM"),
                            Self.selection("num_bytes_accepted", "bytes", "SUM"),
                        ],
                        "filters": Self.dateFilters(days),
                        "aggregations": [Self.aggregation("language", "lang"), Self.aggregation("ide", "ide")],
                    ]
                    let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, [query]))
                    #expect(answer.status == 200, "\(answer.text)")
                    var expected: [String: [Int]] = [:]
                    for row in Self.autocompleteRows(team, days: days) {
                        let key = row.language + "|" + row.ide
                        expected[key, default: [0, 0, 0]][0] += row.acceptances
                        expected[key, default: [0, 0, 0]][1] += row.linesAccepted
                        expected[key, default: [0, 0, 0]][2] += row.bytesAccepted
                    }
                    var served: [String: [Int]] = [:]
                    for item in Self.items(answer) {
                        #expect(item.values.allSatisfy { $0 != "0" })
                        served[(item["lang"] ?? "") + "|" + (item["ide"] ?? "")] = ["acceptances", "lines", "bytes"].map { Self.number(item, $0) }
                    }
                    #expect(!expected.isEmpty)
                    #expect(served == expected, "\(team.name) \(days)")
                }
            }
        }
    }

    @Test("Analytics: distinct_users, distinct developer days and hours, COUNT, MIN, MAX, AVG")
    func distinctAndFunctions() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let days = Self.window(30, of: team)
            let rows = Self.autocompleteRows(team, days: days)
            let queries: [[String: Any]] = [
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "users")],
                    "filters": Self.dateFilters(days),
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA",
                    "selections": [Self.selection("distinct_developer_days", "days"), Self.selection("distinct_developer_hours", "hours")],
                    "filters": Self.dateFilters(days),
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA",
                    "selections": [
                        Self.selection("api_key", "rows", "COUNT"), Self.selection("num_acceptances", "most", "MAX"),
                        Self.selection("num_acceptances", "least", "MIN"), Self.selection("num_acceptances", "mean", "AVG"),
                        Self.selection("distinct_users", "users", "COUNT"),
                    ],
                    "filters": Self.dateFilters(days),
                ],
            ]
            let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, queries))
            #expect(answer.status == 200, "\(answer.text)")
            let users = Set(rows.map(\.member)).count
            #expect(Self.items(answer, 0) == [["users": String(users)]])
            let developerDays = Set(rows.map { [$0.member, $0.day] }).count
            let developerHours = Set(rows.map { [$0.member, $0.day, $0.hour] }).count
            #expect(Self.items(answer, 1) == [["days": String(developerDays), "hours": String(developerHours)]])
            let item = try #require(Self.items(answer, 2).first)
            #expect(Self.number(item, "rows") == rows.count)
            #expect(Self.number(item, "most") == rows.map(\.acceptances).max())
            #expect(Self.number(item, "least") == rows.map(\.acceptances).min())
            #expect(Self.number(item, "users") == users)
            let mean = Double(rows.reduce(0) { $0 + $1.acceptances }) / Double(rows.count)
            #expect(abs((Double(item["mean"] ?? "") ?? 0) - mean) < 1e-9)
        }
    }

    @Test("Analytics: sums grouped by api_key are the user page's keys, plus departed users' keys; a group's subset")
    func sumsByAPIKey() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let days = Self.window(30, of: team)
            let query: [String: Any] = [
                "data_source": "QUERY_DATA_SOURCE_USER_DATA",
                "selections": [Self.selection("num_acceptances", "acceptances", "SUM"), Self.selection("num_lines_accepted", "lines", "SUM")],
                "filters": Self.dateFilters(days),
                "aggregations": [Self.aggregation("api_key", "key")],
            ]
            let userKeys = Set(team.users.map(\.apiKey))
            var seenDeparted = false
            var perGroup: [String?: [String: [Int]]] = [:]
            for group in [nil, "platform", "design"] as [String?] {
                let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, group: group, [query]))
                #expect(answer.status == 200, "\(answer.text)")
                var expected: [String: [Int]] = [:]
                for row in Self.autocompleteRows(team, group: group, days: days) {
                    let key = team.analytics.members[row.member].apiKey
                    expected[key, default: [0, 0]][0] += row.acceptances
                    expected[key, default: [0, 0]][1] += row.linesAccepted
                }
                var served: [String: [Int]] = [:]
                for item in Self.items(answer) { served[item["key"] ?? ""] = [Self.number(item, "acceptances"), Self.number(item, "lines")] }
                #expect(served == expected)
                seenDeparted = seenDeparted || served.keys.contains { !userKeys.contains($0) }
                perGroup[group] = served
            }
            #expect(seenDeparted, "a key whose user left")
            #expect(team.analytics.departedMembers.allSatisfy { $0.apiKey.hasPrefix("sk-ws-") && !userKeys.contains($0.apiKey) })
            // A user in both groups appears in both answers.
            let both = team.users.filter { $0.groups.count == 2 }.map(\.apiKey)
            #expect(both.contains { perGroup["platform"]?[$0] != nil && perGroup["design"]?[$0] != nil })
            let platformKeys = Set((perGroup["platform"] ?? [:]).keys)
            let teamKeys = Set((perGroup[nil] ?? [:]).keys)
            #expect(platformKeys.isSubset(of: teamKeys))
        }
    }

    @Test("Analytics: date filters at the window's edges, and api_key, language and ide filters")
    func filters() async throws {
        try await withSimulator { simulator in
            let team = Self.globex
            let rows = team.analytics.autocomplete
            func acceptances(_ filters: [[String: Any]]) async throws -> Int {
                let query: [String: Any] = [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("num_acceptances", "n", "SUM")], "filters": filters,
                ]
                let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, [query]))
                #expect(answer.status == 200, "\(answer.text)")
                let items = Self.items(answer)
                #expect(items.count == 1)
                return Self.number(items.first ?? [:], "n")
            }
            func sum(_ keep: (SimulatedAutocompleteRow) -> Bool) -> Int { rows.filter(keep).reduce(0) { $0 + $1.acceptances } }
            func check(_ filters: [[String: Any]], _ comment: Comment? = nil, _ keep: (SimulatedAutocompleteRow) -> Bool) async throws {
                let served = try await acceptances(filters)
                let expected = sum(keep)
                #expect(served == expected, comment)
            }
            let today = team.analytics.lastDay
            let start = today - 7
            let date = { (day: Int) in RFC3339Timestamp.date(ofDay: day) }
            try await check(Self.dateFilters(start..<today)) { $0.day >= start && $0.day < today }
            try await check([Self.filter("date", "EQUAL", date(start))]) { $0.day == start }
            try await check([Self.filter("date", "GE", date(today))], "today's rows exist until now") { $0.day == today }
            let todays = sum { $0.day == today }
            #expect(todays > 0)
            try await check([Self.filter("date", "GREATER_THAN", date(start)), Self.filter("date", "LESS_THAN", date(today))]) {
                $0.day > start && $0.day < today
            }
            try await check([Self.filter("date", "NOT_EQUAL", date(start))]) { $0.day != start }
            try await check([Self.filter("date", "LE", "2001-01-01")]) { _ in false }
            try await check([], "no date filter: every day") { _ in true }
            let key = team.users.first { user in rows.contains { team.analytics.members[$0.member].apiKey == user.apiKey } }?.apiKey ?? ""
            try await check([Self.filter("api_key", "EQUAL", key)]) { team.analytics.members[$0.member].apiKey == key }
            try await check([Self.filter("language", "EQUAL", "GO")]) { $0.language == "GO" }
            try await check([Self.filter("ide", "EQUAL", "jetbrains"), Self.filter("language", "NOT_EQUAL", "PYTHON")]) {
                $0.ide == "jetbrains" && $0.language != "PYTHON"
            }
            try await check([Self.filter("hour", "GE", "12")]) { $0.hour >= 12 }
            try await check([Self.filter("version", "EQUAL", "1.28.0")]) { team.analytics.members[$0.member].version == "1.28.0" }
            try await check([Self.filter("date UTC-8", "EQUAL", date(start))]) { Self.floorDivide($0.day * 24 + $0.hour - 8, 24) == start }
        }
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        Int((Double(value) / Double(divisor)).rounded(.down))
    }

    static let pcwFields = [
        ("percent_code_written", "pcw"), ("codeium_bytes", "ai"), ("user_bytes", "user"), ("total_bytes", "total"),
        ("codeium_bytes_by_autocomplete", "auto"), ("codeium_bytes_by_command", "command"),
    ]

    /// Asks for every PCW field of `team` over `days` and checks the item against the rows `keep` selects.
    func checkPCW(
        _ simulator: WindsurfSimulator,
        _ team: SimulatedWindsurfTeam,
        group: String?,
        days: Range<Int>,
        filters: [[String: String]] = [],
        keep: (SimulatedCodeWrittenRow) -> Bool = { _ in true }
    ) async throws -> [String: String] {
        let query: [String: Any] = [
            "data_source": "QUERY_DATA_SOURCE_PCW_DATA", "selections": Self.pcwFields.map { Self.selection($0.0, $0.1) }, "filters": filters,
        ]
        let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, group: group, days: days, [query]))
        #expect(answer.status == 200, "\(answer.text)")
        let items = Self.items(answer)
        #expect(items.count == 1)
        let item = items.first ?? [:]
        let rows = team.analytics.codeWritten.filter {
            days.contains($0.day) && team.analytics.members[$0.member].isCounted(inGroup: group) && keep($0)
        }
        let auto = rows.reduce(0) { $0 + $1.autocompleteBytes }
        let command = rows.reduce(0) { $0 + $1.commandBytes }
        let user = rows.reduce(0) { $0 + $1.userBytes }
        #expect(Self.number(item, "auto") == auto)
        #expect(Self.number(item, "command") == command)
        #expect(Self.number(item, "ai") == auto + command)
        #expect(Self.number(item, "user") == user)
        #expect(Self.number(item, "total") == auto + command + user)
        let zeros = item.values.filter { $0 == "0" }
        #expect(zeros.isEmpty)
        if auto + command + user > 0 {
            let ratio = Double(auto + command) / Double(auto + command + user)
            let served = Double(item["pcw"] ?? "0") ?? -1
            #expect(abs(served - ratio) <= 0.005 + 1e-9)
            let decimals = (item["pcw"] ?? "").split(separator: ".").dropFirst().first?.count ?? 0
            #expect(decimals <= 2)
        }
        return item
    }

    static func stringFilter(_ name: String, _ op: String, _ value: String) -> [String: String] {
        ["name": name, "filter": "QUERY_FILTER_" + op, "value": value]
    }

    @Test("Analytics: PCW_DATA over the top-level range, per group, filtered, and all-zero as an item-less element")
    func percentCodeWritten() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            for days in [Self.window(7, of: team), Self.window(30, of: team)] {
                for group in [nil, "platform", "design"] as [String?] { _ = try await checkPCW(simulator, team, group: group, days: days) }
            }
            let days = Self.window(30, of: team)
            _ = try await checkPCW(simulator, team, group: nil, days: days, filters: [Self.stringFilter("language", "EQUAL", "GO")]) {
                $0.language == "GO"
            }
            _ = try await checkPCW(simulator, team, group: nil, days: days, filters: [Self.stringFilter("ide", "EQUAL", "vscode")]) {
                $0.ide == "vscode"
            }

            // A day and language without command bytes: codeium_bytes_by_command is omitted.
            let rows = team.analytics.codeWritten
            let quiet = try #require(
                rows.first { row in
                    row.autocompleteBytes > 0 && rows.filter { $0.day == row.day && $0.language == row.language }.allSatisfy { $0.commandBytes == 0 }
                }
            )
            let item = try await checkPCW(
                simulator,
                team,
                group: nil,
                days: quiet.day..<(quiet.day + 1),
                filters: [Self.stringFilter("language", "EQUAL", quiet.language)]
            ) { $0.language == quiet.language }
            #expect(item["command"] == nil && item["auto"] != nil)

            // Nothing written: {"responseItems":[{}]}.
            let query: [String: Any] = [
                "data_source": "QUERY_DATA_SOURCE_PCW_DATA", "selections": Self.pcwFields.map { Self.selection($0.0, $0.1) },
                "filters": [Self.filter("language", "EQUAL", "COBOL")],
            ]
            let empty = try await post(simulator, "Analytics", Self.analyticsBody(team, days: days, [query]))
            #expect(empty.text == #"{"queryResults":[{"responseItems":[{}]}]}"#)
        }
    }

    @Test("Analytics: the exporter's four queries in one request, answered in order; empty groupings and items")
    func exporterRequest() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let days = Self.window(30, of: team)
            let queries: [[String: Any]] = [
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA",
                    "selections": [Self.selection("num_acceptances", "acceptances", "SUM")], "filters": Self.dateFilters(days),
                    "aggregations": [Self.aggregation("language", "language"), Self.aggregation("ide", "ide")],
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "users")],
                    "filters": Self.dateFilters(days),
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("num_acceptances", "acceptances", "SUM")],
                    "filters": Self.dateFilters(days), "aggregations": [Self.aggregation("api_key", "api_key")],
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_PCW_DATA",
                    "selections": [Self.selection("percent_code_written", "pcw"), Self.selection("user_bytes", "user")],
                ],
                // An alias that needs escaping.
                ["data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "usérs \"q\"\\\n\u{1}")]],
                // Sources without rows, and filters that match nothing.
                ["data_source": "QUERY_DATA_SOURCE_CHAT_DATA", "selections": [Self.selection("num_chats_received", "chats", "SUM")]],
                [
                    "data_source": "QUERY_DATA_SOURCE_COMMAND_DATA", "selections": [Self.selection("lines_added", "added", "SUM")],
                    "aggregations": [Self.aggregation("language", "lang")], "filters": [Self.filter("accepted", "EQUAL", "true")],
                ],
                [
                    "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("num_acceptances", "n", "SUM")],
                    "filters": [Self.filter("date", "LE", "2001-01-01")], "aggregations": [Self.aggregation("language", "lang")],
                ],
            ]
            let answer = try await post(simulator, "Analytics", Self.analyticsBody(team, days: days, queries))
            #expect(answer.status == 200, "\(answer.text)")
            let results = try #require(answer.object["queryResults"] as? [[String: Any]])
            #expect(results.count == queries.count)
            #expect(Self.items(answer, 0).count == Set(Self.autocompleteRows(team, days: days).map { [$0.language, $0.ide] }).count)
            #expect(Self.items(answer, 1).count == 1)
            #expect(Self.items(answer, 2).count == Set(Self.autocompleteRows(team, days: days).map(\.member)).count)
            #expect(Self.items(answer, 3).first?.keys.sorted() == ["pcw", "user"])
            #expect(Self.items(answer, 4).first?.keys.sorted() == ["usérs \"q\"\\\n\u{1}"])
            #expect(answer.text.contains(#""usérs \"q\"\\\n\u0001":"#))
            #expect(answer.text.hasSuffix(#"{"responseItems":[{}]},{},{}]}"#), "no rows: one item-less element without grouping, none with it")
        }
    }

    // MARK: Errors

    @Test("Analytics and CascadeAnalytics refuse what the docs refuse, with the documented messages, as 400")
    func documentedErrors() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let user = "QUERY_DATA_SOURCE_USER_DATA"
            func query(_ selections: [[String: Any]], aggregations: [[String: Any]] = [], source: String = user) -> [String: Any] {
                ["data_source": source, "selections": selections, "aggregations": aggregations]
            }
            let cases: [(String, [String: Any], String)] = [
                (
                    "Analytics",
                    Self.analyticsBody(team, [query([Self.selection("num_acceptances", "n", "SUM")], source: "QUERY_DATA_SOURCE_USERDATA")]),
                    "invalid query table: QUERY_DATA_SOURCE_UNSPECIFIED"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [["selections": [Self.selection("api_key", "k")]]]),
                    "invalid query table: QUERY_DATA_SOURCE_UNSPECIFIED"
                ),
                ("Analytics", Self.analyticsBody(team, [query([])]), "at least one field or aggregation is required"),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [query([Self.selection("num_acceptances", "n", "SUM"), Self.selection("api_key", "k", "UNSPECIFIED")])]
                    ),
                    "all selection fields should have an aggregation function, or none of them should"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [query([Self.selection("num_acceptances", "n", "SUM"), Self.selection("api_key", "k")])]),
                    "all selection fields should have an aggregation function, or none of them should"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [query([Self.selection("ide", "ide", "SUM")])]),
                    "invalid aggregation function for string type field ide: QUERY_AGGREGATION_SUM"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [query([Self.selection("num_acceptances", "n")])]),
                    "invalid aggregation function for number type field num_acceptances: QUERY_AGGREGATION_UNSPECIFIED"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(team, [query([Self.selection("codeium_bytes", "ai", "SUM")], source: "QUERY_DATA_SOURCE_PCW_DATA")]),
                    "invalid aggregation function for number type field codeium_bytes: QUERY_AGGREGATION_SUM"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [query([Self.selection("api_key", "k")], aggregations: [Self.aggregation("distinct_developer_days", "d")])]
                    ),
                    "tried to aggregate on a distinct field: distinct_developer_days. Consider aggregating on the non-distinct fields instead: [api_key date]"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [
                            query(
                                [Self.selection("num_acceptances", "num_acceptances", "SUM")],
                                aggregations: [Self.aggregation("language", "num_acceptances")]
                            )
                        ]
                    ),
                    "duplicate field alias for selection/aggregation: num_acceptances"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [query([["field": "api_key"], Self.selection("language", "api_key")])]),
                    "duplicate field alias for selection/aggregation: api_key"
                ),
                (
                    "Analytics", Self.analyticsBody(team, group: "GroupName", [query([Self.selection("api_key", "k")])]),
                    "invalid group name: GroupName"
                ),
                (
                    "Analytics", Self.analyticsBody(Self.globex, group: "platform", [query([Self.selection("api_key", "k")])]),
                    "invalid group name: platform"
                ),
                (
                    "Analytics", Self.analyticsBody(team, [query([Self.selection("num_completions", "c", "SUM")])]),
                    "unknown field num_completions for QUERY_DATA_SOURCE_USER_DATA"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [
                            [
                                "data_source": "QUERY_DATA_SOURCE_PCW_DATA", "selections": [Self.selection("user_bytes", "u")],
                                "filters": [Self.filter("date", "GE", "2025-01-01")],
                            ]
                        ]
                    ),
                    "unknown field date for QUERY_DATA_SOURCE_PCW_DATA"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [["data_source": user, "selections": [Self.selection("api_key", "k")], "filters": [Self.filter("date", "GE", "2025-1-1")]]]
                    ),
                    "invalid filter value for field date: 2025-1-1"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [
                            [
                                "data_source": user, "selections": [Self.selection("api_key", "k")],
                                "filters": [["name": "date", "filter": "GE", "value": "2025-01-01"]],
                            ]
                        ]
                    ),
                    "invalid filter operator for field date: QUERY_FILTER_UNSPECIFIED"
                ),
                (
                    "Analytics",
                    Self.analyticsBody(
                        team,
                        [
                            [
                                "data_source": user,
                                "selections": [["field": "num_acceptances", "name": "n", "aggregationFunction": "QUERY_AGGREGATION_SUM"]],
                            ]
                        ]
                    ),
                    "invalid request body: unknown field \"aggregationFunction\" in query_requests[0].selections[0]"
                ),
                (
                    "Analytics",
                    ["service_key": team.serviceKey, "start_timestamp": "2025-05-01", "query_requests": [query([Self.selection("api_key", "k")])]],
                    "invalid timestamp format"
                ),
                (
                    "CascadeAnalytics",
                    [
                        "service_key": team.serviceKey, "group_name": "platform", "emails": ["a@example.com"],
                        "query_requests": [["cascade_lines": [:]]],
                    ],
                    "Cannot use both group_name and emails parameters"
                ),
                (
                    "CascadeAnalytics", ["service_key": team.serviceKey, "group_name": "GroupName", "query_requests": [["cascade_lines": [:]]]],
                    "invalid group name: GroupName"
                ),
                (
                    "CascadeAnalytics", ["service_key": team.serviceKey, "end_timestamp": "yesterday", "query_requests": [["cascade_lines": [:]]]],
                    "invalid timestamp format"
                ),
                (
                    "CascadeAnalytics", ["service_key": team.serviceKey, "query_requests": [["data_source": "cascade_lines"]]],
                    "invalid request body: unknown field \"data_source\" in query_requests[0]"
                ),
                ("CascadeAnalytics", ["service_key": "no-such-key", "query_requests": [["cascade_lines": [:]]]], "Invalid service key"),
                ("Analytics", ["service_key": "no-such-key", "query_requests": [query([Self.selection("api_key", "k")])]], "Invalid service key"),
            ]
            for (endpoint, body, message) in cases {
                let answer = try await post(simulator, endpoint, body)
                #expect(answer.status == (message == "Invalid service key" ? 401 : 400), "\(message)")
                #expect(answer.error == message)
            }
            // A valid request with RFC 3339 variants is accepted.
            let variants = try await post(
                simulator,
                "CascadeAnalytics",
                [
                    "service_key": team.serviceKey, "start_timestamp": "2025-12-01T00:00:00.000Z", "end_timestamp": "2025-12-08T01:00:00+01:00",
                    "query_requests": [["cascade_lines": [:]]],
                ]
            )
            #expect(variants.status == 200, "\(variants.text)")
            let broken = try await post(simulator, "Analytics", text: #"{"service_key":"demo-acme-service-key","query_requests":[{"data_source":"#)
            #expect(broken.status == 400)
        }
    }

    // MARK: GetUsageConfig

    @Test("GetUsageConfig: the cap in either spelling, {} without one, and exactly one scope")
    func usageConfig() async throws {
        var teams = Self.teams
        teams[1].addOnCreditCapSpelling = .snakeCase
        try await withSimulator(teams) { simulator in
            let acme = Self.acme
            let cap = try #require(acme.addOnCreditCap)
            #expect(
                try await post(simulator, "GetUsageConfig", ["service_key": acme.serviceKey, "team_level": true]).text
                    == "{\"addOnCreditCap\":\(cap)}"
            )
            #expect(
                try await post(simulator, "GetUsageConfig", ["service_key": acme.serviceKey, "group_id": "design"]).text
                    == "{\"addOnCreditCap\":\(cap)}"
            )
            let email = acme.users[3].email
            #expect(
                try await post(simulator, "GetUsageConfig", ["service_key": acme.serviceKey, "user_email": email]).text
                    == "{\"addOnCreditCap\":\(cap)}"
            )
            let globex = try await post(simulator, "GetUsageConfig", ["service_key": Self.globex.serviceKey, "team_level": true])
            #expect(globex.status == 200)
            #expect(globex.text == "{}")
            simulator.updateTeam(named: "globex") { $0.addOnCreditCap = 250 }
            #expect(
                try await post(simulator, "GetUsageConfig", ["service_key": Self.globex.serviceKey, "team_level": true]).text
                    == #"{"add_on_credit_cap":250}"#
            )

            let refused: [([String: Any], String)] = [
                (["service_key": acme.serviceKey], "one of team_level, group_id or user_email is required"),
                (["service_key": acme.serviceKey, "team_level": false], "one of team_level, group_id or user_email is required"),
                (
                    ["service_key": acme.serviceKey, "team_level": true, "group_id": "design"],
                    "only one of team_level, group_id or user_email may be given"
                ),
                (["service_key": acme.serviceKey, "group_id": "engineering_team"], "invalid group id: engineering_team"),
                (["service_key": acme.serviceKey, "user_email": "nobody@example.com"], "invalid user email: nobody@example.com"),
                (["service_key": acme.serviceKey, "team_level": "true"], "invalid request body: team_level must be a boolean, not string"),
            ]
            for (body, message) in refused {
                let answer = try await post(simulator, "GetUsageConfig", body)
                #expect(answer.status == 400)
                #expect(answer.error == message)
            }
        }
    }

    // MARK: Faults

    @Test("Faults apply to the analytics endpoints: permissions, query errors, 401, 429, 5xx, malformed, truncated")
    func faults() async throws {
        try await withSimulator { simulator in
            let team = Self.acme
            let analytics = Self.analyticsBody(
                team,
                [["data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "u")]]]
            )
            let cascade: [String: Any] = ["service_key": team.serviceKey, "query_requests": [["cascade_lines": [:]]]]
            let usage: [String: Any] = ["service_key": team.serviceKey, "team_level": true]

            simulator.inject(.insufficientPermissions(), on: .analytics, count: 1)
            let forbidden = try await post(simulator, "Analytics", analytics)
            #expect(forbidden.status == 403)
            #expect(forbidden.text == #"{"error":"Insufficient permissions"}"#)
            #expect(try await post(simulator, "Analytics", analytics).status == 200, "count: 1 clears the fault")
            #expect(try await post(simulator, "CascadeAnalytics", cascade).status == 200)

            simulator.inject(.insufficientPermissions(status: 401), on: .usageConfig, count: 1)
            let unauthorized = try await post(simulator, "GetUsageConfig", usage)
            #expect(unauthorized.status == 401 && unauthorized.error == "Insufficient permissions")

            let documented: [WindsurfQueryError] = [
                .invalidQueryTable, .noFieldOrAggregation, .mixedAggregationFunctions,
                .invalidAggregationFunction(type: "string", field: "ide", function: "QUERY_AGGREGATION_SUM"),
                .distinctFieldAggregated(field: "distinct_developer_days", instead: ["api_key", "date"]), .duplicateAlias("num_acceptances"),
                .invalidGroupName("GroupName"), .invalidTimestampFormat, .groupNameAndEmails,
            ]
            for error in documented {
                simulator.inject(.queryError(error), on: .analytics, count: 1)
                let answer = try await post(simulator, "Analytics", analytics)
                #expect(answer.status == 400)
                #expect(answer.error == error.message)
            }

            simulator.inject(.unauthorized, on: .cascadeAnalytics, count: 1)
            #expect(try await post(simulator, "CascadeAnalytics", cascade).error == "Invalid service key")
            simulator.inject(.rateLimited(retryAfter: "7"), on: .cascadeAnalytics, count: 1)
            let limited = try await post(simulator, "CascadeAnalytics", cascade)
            #expect(limited.status == 429 && limited.headers.first(name: "Retry-After") == "7")
            simulator.inject(.serverError(status: 503), on: .analytics, count: 1)
            #expect(try await post(simulator, "Analytics", analytics).status == 503)
            simulator.inject(.malformed, on: .usageConfig, count: 1)
            let malformed = try await post(simulator, "GetUsageConfig", usage)
            #expect(malformed.status == 200 && (try? JSONSerialization.jsonObject(with: Data(malformed.text.utf8))) == nil)
            for (endpoint, body) in [("CascadeAnalytics", cascade), ("Analytics", analytics), ("GetUsageConfig", usage)] {
                simulator.inject(.truncated, on: WindsurfEndpoint(rawValue: endpoint == "GetUsageConfig" ? "GetUsageConfig" : endpoint), count: 1)
                let truncated = try await post(simulator, endpoint, body)
                #expect(truncated.status == 200 && (try? JSONSerialization.jsonObject(with: Data(truncated.text.utf8))) == nil)
            }
            // The user page is untouched by analytics faults.
            simulator.inject(.serverError(status: 500), on: .analytics)
            let page = try await post(simulator, "UserPageAnalytics", ["service_key": team.serviceKey])
            #expect(page.status == 200)
            simulator.clearFaults()

            let faulted = simulator.receivedRequests.filter { $0.fault != nil }
            #expect(faulted.contains { $0.endpoint == .usageConfig && $0.fault == .insufficientPermissions(status: 401) })
            let last = try #require(simulator.receivedRequests.last { $0.endpoint == .analytics })
            #expect(last.body.contains("\"distinct_users\""))
            #expect(last.serviceKey == team.serviceKey)
        }
    }

    @Test("A team whose key lacks a permission is refused on that endpoint only")
    func deniedEndpoints() async throws {
        var teams = Self.teams
        teams[1].deniedEndpoints = [.analytics, .usageConfig]
        try await withSimulator(teams) { simulator in
            let query: [[String: Any]] = [["data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "u")]]]
            let refused = try await post(simulator, "Analytics", Self.analyticsBody(Self.globex, query))
            #expect(refused.status == 403 && refused.error == "Insufficient permissions")
            let usage = try await post(simulator, "GetUsageConfig", ["service_key": Self.globex.serviceKey, "team_level": true])
            #expect(usage.status == 403 && usage.error == "Insufficient permissions")
            let cascade = try await post(
                simulator,
                "CascadeAnalytics",
                ["service_key": Self.globex.serviceKey, "query_requests": [["cascade_lines": [:]]]]
            )
            #expect(cascade.status == 200)
            #expect(try await post(simulator, "Analytics", Self.analyticsBody(Self.acme, query)).status == 200)
        }
    }

    // MARK: Data

    @Test("Generated rows agree with the user page, cover the vocabulary, and are deterministic")
    func generatedData() throws {
        for team in Self.teams {
            let analytics = team.analytics
            #expect(analytics.lastDay == Int(Self.now / 86_400))
            #expect(analytics.firstDay == analytics.lastDay - 90)
            #expect(analytics.members.count == team.users.count + 2)
            for (index, user) in team.users.enumerated() {
                let member = analytics.members[index]
                #expect(member.apiKey == user.apiKey && member.email == user.normalizedEmail && member.groups == user.groups && !member.departed)
            }
            #expect(analytics.departedMembers.count == 2)
            let lastUsage = { (index: Int) -> SimulatedWindsurfUser? in index < team.users.count ? team.users[index] : nil }
            for row in analytics.autocomplete {
                #expect(analytics.firstDay <= row.day && row.day <= analytics.lastDay)
                guard let user = lastUsage(row.member) else { continue }
                let last = try #require(user.lastAutocompleteUsageTime?.value, "no autocomplete rows for a user who never autocompleted")
                #expect(Double(row.day * 86_400 + row.hour * 3_600) <= last)
                #expect(Double(row.day * 86_400) >= (user.signupTime?.value ?? 0) - 86_400)
            }
            for row in analytics.cascade {
                guard let user = lastUsage(row.member) else { continue }
                let last = try #require(user.lastChatUsageTime?.value, "no Cascade rows for a user who never chatted")
                #expect(Double(row.day * 86_400) <= last)
            }
            // The newest usage is in the rows.
            for (index, user) in team.users.enumerated() {
                if let last = user.lastAutocompleteUsageTime?.value, last >= Double(analytics.firstDay * 86_400) {
                    let day = Int(last / 86_400)
                    #expect(analytics.autocomplete.contains { $0.member == index && $0.day == day })
                }
                if user.lastUsage == nil {
                    #expect(!analytics.autocomplete.contains { $0.member == index } && !analytics.cascade.contains { $0.member == index })
                }
            }
            #expect(analytics.autocomplete.map(\.day) == analytics.autocomplete.map(\.day).sorted())
            #expect(analytics.cascade.map(\.day) == analytics.cascade.map(\.day).sorted())
            #expect(analytics.codeWritten.map(\.day) == analytics.codeWritten.map(\.day).sorted())
            // PCW's autocomplete bytes are the day's accepted bytes.
            var accepted: [[Int]: Int] = [:]
            for row in analytics.autocomplete { accepted[[row.member, row.day], default: 0] += row.bytesAccepted }
            for row in analytics.codeWritten { #expect(accepted[[row.member, row.day]] == row.autocompleteBytes) }
        }
        // The selection helpers select what a plain filter does.
        let acmeWindow = Self.acme.analytics.window(days: 30)
        #expect(acmeWindow == Self.window(30, of: Self.acme))
        #expect(
            Self.acme.analytics.autocompleteRows(inGroup: "design", days: acmeWindow)
                == Self.autocompleteRows(Self.acme, group: "design", days: acmeWindow)
        )
        #expect(
            Self.acme.analytics.cascadeRows(inGroup: "platform", days: acmeWindow) == Self.cascadeRows(Self.acme, group: "platform", days: acmeWindow)
        )
        #expect(Self.acme.analytics.codeWrittenRows(days: acmeWindow) == Self.acme.analytics.codeWritten.filter { acmeWindow.contains($0.day) })

        let all = Self.teams.flatMap(\.analytics.cascade)
        #expect(Set(all.map(\.mode)) == Set(SimulatedAnalyticsVocabulary.modes))
        #expect(Set(all.map(\.model)) == Set(SimulatedAnalyticsVocabulary.models.map(\.name)))
        #expect(Set(all.map(\.ideType)) == Set(SimulatedAnalyticsVocabulary.cascadeIDETypes))
        #expect(Set(all.flatMap { $0.toolCalls.map(\.tool) }).isSuperset(of: SimulatedAnalyticsVocabulary.undocumentedTools))
        let languages = Set(Self.teams.flatMap(\.analytics.autocomplete).map(\.language))
        #expect(languages == Set(SimulatedAnalyticsVocabulary.languages))
        // Conversations split across rows of one day, some with the same model and mode; some span days.
        let acme = Self.acme.analytics
        var parts: [[Int]: [String]] = [:]
        for row in acme.cascade { parts[[row.conversation, row.day], default: []].append(row.model + row.mode) }
        #expect(parts.values.contains { $0.count >= 2 })
        #expect(parts.values.contains { Set($0).count < $0.count })
        #expect(Dictionary(grouping: acme.cascade, by: \.conversation).values.contains { Set($0.map(\.day)).count > 1 })
        #expect(acme.cascade.contains { $0.promptsUsed == 0 } && acme.cascade.contains { $0.promptsUsed > 0 })
        // Deterministic.
        let again = WindsurfDatasetGenerator(seed: 17).demoTeams(users: 150, now: Self.now)
        #expect(again[0].analytics.autocomplete == acme.autocomplete && again[0].analytics.cascade == acme.cascade)
        #expect(again[1].analytics.codeWritten == Self.globex.analytics.codeWritten)
        #expect(again[0].analytics.cascadeId(of: acme.cascade[0]) == acme.cascadeId(of: acme.cascade[0]))
        #expect(Self.acme.addOnCreditCap != nil && Self.globex.addOnCreditCap == nil)
    }

    @Test("A hand-made team without analytics answers empty results")
    func teamWithoutAnalytics() async throws {
        let team = SimulatedWindsurfTeam(
            name: "bare",
            serviceKey: "bare-key",
            users: [SimulatedWindsurfUser(name: "A", email: "a@example.com", apiKey: "sk-ws-a")],
            billingCycleStart: SimulatedTimestamp(wholeSeconds: 0),
            billingCycleEnd: SimulatedTimestamp(wholeSeconds: 86_400),
            seats: 1
        )
        try await withSimulator([team]) { simulator in
            let cascade = try await post(
                simulator,
                "CascadeAnalytics",
                [
                    "service_key": "bare-key", "query_requests": [["cascade_lines": [:]], ["cascade_runs": [:]], ["cascade_tool_usage": [:]]],
                ]
            )
            #expect(cascade.text == #"{"queryResults":[{"cascadeLines":{}},{"cascadeRuns":{}},{"cascadeToolUsage":{}}]}"#)
            let custom = try await post(
                simulator,
                "Analytics",
                [
                    "service_key": "bare-key",
                    "query_requests": [
                        ["data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("distinct_users", "u")]],
                        [
                            "data_source": "QUERY_DATA_SOURCE_USER_DATA", "selections": [Self.selection("num_acceptances", "n", "SUM")],
                            "aggregations": [Self.aggregation("api_key", "k")], "filters": [Self.filter("api_key", "EQUAL", "sk-ws-a")],
                        ],
                    ],
                ]
            )
            #expect(custom.text == #"{"queryResults":[{"responseItems":[{}]},{}]}"#)
            #expect(try await post(simulator, "GetUsageConfig", ["service_key": "bare-key", "team_level": true]).text == "{}")
        }
    }
}
