import Foundation
import NIOCore
import Testing

@testable import UsageExporter

/// The Windsurf analytics answers decoded in every documented form, the windows' day arithmetic, and the
/// families built from them, value for value.
@Suite("Windsurf analytics decoding")
struct AnalyticsDecodingTests {
    /// 2026-11-29T13:45:00Z.
    static let now = 1_795_959_900.0
    /// 2026-11-29T00:00:00Z.
    static let today = 1_795_910_400.0

    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(json.utf8))
    }

    func render(_ families: [FamilySamples]) -> String {
        var buffer = ByteBuffer()
        ExpositionPlan(families: families).write(into: &buffer, now: 0)
        return String(buffer: buffer)
    }

    @Test("CascadeAnalytics: the documented example, numbers as strings or numbers, omitted zeros, results read by key")
    func cascade() throws {
        let answer = try decode(
            WindsurfCascadeAnalytics.self,
            """
            {"queryResults":[
              {"cascadeToolUsage":{"cascadeToolUsage":[{"tool":"CODE_ACTION","count":"12"},{"tool":"VIEW_FILE","count":30},{"tool":"NEW_TOOL"}]}},
              {"cascadeLines":{"cascadeLines":[
                {"day":"2025-05-01T00:00:00Z","linesSuggested":"120","linesAccepted":"95"},
                {"day":"2025-05-02T00:00:00Z","linesSuggested":"8"},
                {"day":"2025-05-03","linesAccepted":2,"somethingNew":{"x":1}}]}},
              {"cascadeRuns":{"cascadeRuns":[
                {"day":"2025-05-01T00:00:00Z","model":"Claude Sonnet 4.5","mode":"CONVERSATIONAL_PLANNER_MODE_DEFAULT",
                 "messagesSent":"3","cascadeId":"3f0c2a1e-0000-4000-8000-000000000001","promptsUsed":"250"},
                {"day":"2025-05-01T00:00:00Z","model":"Claude Sonnet 4.5","mode":"UNKNOWN","cascadeId":"3f0c2a1e-0000-4000-8000-000000000001"}]}},
              {"futureResult":{"rows":[1]}}
            ],"unknownTopLevel":true}
            """
        )
        #expect(
            answer.lines == [
                .init(day: 1_746_057_600, linesSuggested: 120, linesAccepted: 95),
                .init(day: 1_746_144_000, linesSuggested: 8, linesAccepted: 0),
                .init(day: 1_746_230_400, linesSuggested: 0, linesAccepted: 2),
            ]
        )
        #expect(
            answer.runs == [
                .init(
                    day: 1_746_057_600,
                    model: "Claude Sonnet 4.5",
                    mode: "CONVERSATIONAL_PLANNER_MODE_DEFAULT",
                    messagesSent: 3,
                    cascadeID: "3f0c2a1e-0000-4000-8000-000000000001",
                    promptsUsed: 250
                ),
                .init(
                    day: 1_746_057_600,
                    model: "Claude Sonnet 4.5",
                    mode: "UNKNOWN",
                    messagesSent: 0,
                    cascadeID: "3f0c2a1e-0000-4000-8000-000000000001",
                    promptsUsed: 0
                ),
            ]
        )
        #expect(answer.tools == [.init(tool: "CODE_ACTION", count: 12), .init(tool: "VIEW_FILE", count: 30), .init(tool: "NEW_TOOL", count: 0)])
        let empty = try decode(WindsurfCascadeAnalytics.self, #"{"queryResults":[]}"#)
        #expect(empty.lines.isEmpty && empty.runs.isEmpty && empty.tools.isEmpty)
        #expect(try decode(WindsurfCascadeAnalytics.self, "{}").error == "")
        #expect(try decode(WindsurfCascadeAnalytics.self, #"{"error":"Insufficient permissions"}"#).error == "Insufficient permissions")
    }

    @Test(
        "malformed analytics answers are decode errors",
        arguments: [
            #"{"queryResults":[{"cascadeLines":{"cascadeLines":[{"day":"yesterday"}]}}]}"#,
            #"{"queryResults":[{"cascadeLines":{"cascadeLines":[{"linesSuggested":"many"}]}}]}"#,
            #"{"queryResults":[{"cascadeRuns":{"cascadeRuns":[{"promptsUsed":"1e400"}]}}]}"#,
            #"{"queryResults":"#,
        ]
    )
    func malformedCascade(json: String) {
        #expect(throws: DecodingError.self) { try decode(WindsurfCascadeAnalytics.self, json) }
    }

    @Test("custom Analytics: items by alias, strings or numbers, omitted zeros, an item-less element, an empty answer")
    func custom() throws {
        let answer = try decode(
            WindsurfCustomAnalytics.self,
            """
            {"queryResults":[
              {"responseItems":[{"item":{"language":"PYTHON","ide":"jetbrains","acceptances":"40","lines_accepted":"12"}},
                                {"item":{"language":"GO","ide":"vscode","acceptances":17,"bytes_accepted":"300","extra":null}}]},
              {"responseItems":[{"item":{"users":"5"}}]},
              {"responseItems":[]},
              {"responseItems":[{}]}
            ]}
            """
        )
        #expect(answer.results.count == 4)
        let python = answer.items(0)[0]
        #expect(python.text("language") == "PYTHON")
        #expect(python.number("acceptances") == 40)
        #expect(python.number("bytes_accepted") == 0)  // "0" omitted
        #expect(answer.items(0)[1].number("acceptances") == 17)
        #expect(answer.items(1)[0].number("users") == 5)
        #expect(answer.items(2).isEmpty)
        #expect(answer.items(3).isEmpty)
        #expect(answer.items(9).isEmpty)
        #expect(WindsurfCustomAnalytics.Item(["x": "seven"]).number("x") == nil)
        #expect(WindsurfCustomAnalytics.Item(["x": "NaN"]).number("x") == nil)
        #expect(try decode(WindsurfCustomAnalytics.self, "{}").results.isEmpty)
    }

    @Test("GetUsageConfig: addOnCreditCap or add_on_credit_cap, as a number or a string; {} is no cap")
    func usageConfig() throws {
        #expect(try decode(WindsurfUsageConfig.self, #"{"addOnCreditCap":10000}"#).addOnCreditCap == 10_000)
        #expect(try decode(WindsurfUsageConfig.self, #"{"add_on_credit_cap":"2500"}"#).addOnCreditCap == 2500)
        #expect(try decode(WindsurfUsageConfig.self, "{}").addOnCreditCap == nil)
        #expect(throws: DecodingError.self) { try decode(WindsurfUsageConfig.self, #"{"addOnCreditCap":"lots"}"#) }
    }

    @Test("windows are complete UTC days ending at today 00:00 UTC, end exclusive")
    func windows() {
        let week = WindsurfAnalyticsWindow(days: 7, now: Self.now)
        #expect(week.end == Self.today)
        #expect(week.start == Self.today - 7 * 86_400)
        #expect(week.label == "7d")
        #expect(week.firstDate == "2026-11-22")
        #expect(week.lastDate == "2026-11-28")
        #expect(week.contains(Self.today - 7 * 86_400))
        #expect(week.contains(Self.today - 1))
        #expect(!week.contains(Self.today))
        #expect(!week.contains(Self.today - 7 * 86_400 - 1))
        // At exactly 00:00 UTC the new day belongs to the next window; a moment before, to this one.
        #expect(WindsurfAnalyticsWindow(days: 1, now: Self.today).start == Self.today - 86_400)
        #expect(WindsurfAnalyticsWindow(days: 1, now: Self.today - 0.001).start == Self.today - 2 * 86_400)
    }

    static func keys(_ users: [(email: String, key: String)], labeler: EmailLabeler = EmailLabeler()) throws -> WindsurfAPIKeyDirectory {
        let json = "{\"userTableStats\":[" + users.map { #"{"email":"\#($0.email)","apiKey":"\#($0.key)"}"# }.joined(separator: ",") + "]}"
        return WindsurfAPIKeyDirectory(try JSONDecoder().decode(WindsurfAPIKeyPage.self, from: Data(json.utf8)), labeler: labeler)
    }

    static func answer(
        group: String? = nil,
        window: WindsurfAnalyticsWindow = WindsurfAnalyticsWindow(days: 7, now: now),
        cascade: WindsurfCascadeAnalytics = WindsurfCascadeAnalytics(),
        custom: [[WindsurfCustomAnalytics.Item]] = [],
        users: WindsurfAPIKeyDirectory = .empty
    ) -> WindsurfAnalyticsSnapshotBuilder.Answer {
        .init(group: group, window: window, cascade: cascade, custom: WindsurfCustomAnalytics(results: custom), users: users)
    }

    @Test("every family from one window's answers, exactly: split conversations summed, rows outside the window ignored")
    func families() throws {
        let day = Self.today - 86_400
        let cascade = WindsurfCascadeAnalytics(
            lines: [
                .init(day: day, linesSuggested: 100, linesAccepted: 60), .init(day: day - 86_400, linesSuggested: 20, linesAccepted: 0),
                .init(day: Self.today, linesSuggested: 999, linesAccepted: 999),  // today: outside the window
            ],
            runs: [
                .init(day: day, model: "GPT-5", mode: "CONVERSATIONAL_PLANNER_MODE_DEFAULT", messagesSent: 2, cascadeID: "c1", promptsUsed: 150),
                .init(day: day, model: "GPT-5", mode: "CONVERSATIONAL_PLANNER_MODE_DEFAULT", messagesSent: 1, cascadeID: "c1", promptsUsed: 50),
                .init(day: day, model: "SWE-1.5", mode: "UNKNOWN", messagesSent: 4, cascadeID: "c2", promptsUsed: 0),
                .init(
                    day: Self.today - 8 * 86_400,
                    model: "GPT-5",
                    mode: "CONVERSATIONAL_PLANNER_MODE_DEFAULT",
                    messagesSent: 50,
                    cascadeID: "c3",
                    promptsUsed: 900
                ),
            ],
            tools: [.init(tool: "VIEW_FILE", count: 30), .init(tool: "CODE_ACTION", count: 12), .init(tool: "VIEW_FILE", count: 1)]
        )
        let users = try Self.keys([("Alice@Example.com", "key-alice"), ("bob@example.com", "key-bob")])
        let custom: [[WindsurfCustomAnalytics.Item]] = [
            [
                .init(["language": "PYTHON", "ide": "jetbrains", "acceptances": "40", "lines_accepted": "12", "bytes_accepted": "600"]),
                .init(["language": "GO", "ide": "vscode", "acceptances": "17"]),
            ],
            [.init(["users": "2"])],
            [
                .init(["api_key": "key-alice", "acceptances": "50", "lines_accepted": "10"]), .init(["api_key": "key-bob", "acceptances": "7"]),
                .init(["api_key": "key-of-someone-who-left", "acceptances": "3", "lines_accepted": "1"]),
            ],
            [.init(["ratio": "0.61", "autocomplete_bytes": "4593", "command_bytes": "1425", "user_bytes": "3882", "total_bytes": "9900"])],
        ]
        let builder = WindsurfAnalyticsSnapshotBuilder(team: "acme")
        let (families, notes) = try builder.families([Self.answer(cascade: cascade, custom: custom, users: users)])
        #expect(notes.unknownKeys == 1)
        #expect(notes.rowsOutsideWindow == 2)
        let w = #"team="acme",window="7d""#
        #expect(
            render(families) == """
                # HELP windsurf_ai_code_written_ratio \(WindsurfAnalyticsFamilies.aiCodeWrittenRatio.help)
                # TYPE windsurf_ai_code_written_ratio gauge
                windsurf_ai_code_written_ratio{\(w)} 0.61
                # HELP windsurf_autocomplete_acceptances \(WindsurfAnalyticsFamilies.autocompleteAcceptances.help)
                # TYPE windsurf_autocomplete_acceptances gauge
                windsurf_autocomplete_acceptances{\(w),language="GO",ide="vscode"} 17
                windsurf_autocomplete_acceptances{\(w),language="PYTHON",ide="jetbrains"} 40
                # HELP windsurf_autocomplete_accepted_bytes \(WindsurfAnalyticsFamilies.autocompleteAcceptedBytes.help)
                # TYPE windsurf_autocomplete_accepted_bytes gauge
                windsurf_autocomplete_accepted_bytes{\(w),language="GO",ide="vscode"} 0
                windsurf_autocomplete_accepted_bytes{\(w),language="PYTHON",ide="jetbrains"} 600
                # HELP windsurf_autocomplete_lines_accepted \(WindsurfAnalyticsFamilies.autocompleteLinesAccepted.help)
                # TYPE windsurf_autocomplete_lines_accepted gauge
                windsurf_autocomplete_lines_accepted{\(w),language="GO",ide="vscode"} 0
                windsurf_autocomplete_lines_accepted{\(w),language="PYTHON",ide="jetbrains"} 12
                # HELP windsurf_autocomplete_users \(WindsurfAnalyticsFamilies.autocompleteUsers.help)
                # TYPE windsurf_autocomplete_users gauge
                windsurf_autocomplete_users{\(w)} 2
                # HELP windsurf_cascade_conversations \(WindsurfAnalyticsFamilies.cascadeConversations.help)
                # TYPE windsurf_cascade_conversations gauge
                windsurf_cascade_conversations{\(w)} 2
                # HELP windsurf_cascade_lines_accepted \(WindsurfAnalyticsFamilies.cascadeLinesAccepted.help)
                # TYPE windsurf_cascade_lines_accepted gauge
                windsurf_cascade_lines_accepted{\(w)} 60
                # HELP windsurf_cascade_lines_suggested \(WindsurfAnalyticsFamilies.cascadeLinesSuggested.help)
                # TYPE windsurf_cascade_lines_suggested gauge
                windsurf_cascade_lines_suggested{\(w)} 120
                # HELP windsurf_cascade_messages_sent \(WindsurfAnalyticsFamilies.cascadeMessagesSent.help)
                # TYPE windsurf_cascade_messages_sent gauge
                windsurf_cascade_messages_sent{\(w),model="GPT-5",mode="CONVERSATIONAL_PLANNER_MODE_DEFAULT"} 3
                windsurf_cascade_messages_sent{\(w),model="SWE-1.5",mode="UNKNOWN"} 4
                # HELP windsurf_cascade_prompt_credits_used \(WindsurfAnalyticsFamilies.cascadePromptCreditsUsed.help)
                # TYPE windsurf_cascade_prompt_credits_used gauge
                windsurf_cascade_prompt_credits_used{\(w),model="GPT-5",mode="CONVERSATIONAL_PLANNER_MODE_DEFAULT"} 2
                windsurf_cascade_prompt_credits_used{\(w),model="SWE-1.5",mode="UNKNOWN"} 0
                # HELP windsurf_cascade_tool_calls \(WindsurfAnalyticsFamilies.cascadeToolCalls.help)
                # TYPE windsurf_cascade_tool_calls gauge
                windsurf_cascade_tool_calls{\(w),tool="CODE_ACTION"} 12
                windsurf_cascade_tool_calls{\(w),tool="VIEW_FILE"} 31
                # HELP windsurf_code_written_bytes \(WindsurfAnalyticsFamilies.codeWrittenBytes.help)
                # TYPE windsurf_code_written_bytes gauge
                windsurf_code_written_bytes{\(w),author="autocomplete"} 4593
                windsurf_code_written_bytes{\(w),author="command"} 1425
                windsurf_code_written_bytes{\(w),author="user"} 3882
                # HELP windsurf_user_autocomplete_acceptances \(WindsurfAnalyticsFamilies.userAutocompleteAcceptances.help)
                # TYPE windsurf_user_autocomplete_acceptances gauge
                windsurf_user_autocomplete_acceptances{\(w),email="alice@example.com"} 50
                windsurf_user_autocomplete_acceptances{\(w),email="bob@example.com"} 7
                # HELP windsurf_user_autocomplete_lines_accepted \(WindsurfAnalyticsFamilies.userAutocompleteLinesAccepted.help)
                # TYPE windsurf_user_autocomplete_lines_accepted gauge
                windsurf_user_autocomplete_lines_accepted{\(w),email="alice@example.com"} 10
                windsurf_user_autocomplete_lines_accepted{\(w),email="bob@example.com"} 0

                """
        )
        // The keys went no further than the join.
        #expect(!render(families).contains("key-"))
        #expect(!String(describing: users).contains("key-") && !String(reflecting: users).contains("key-"))
    }

    @Test("an empty window: the fixed families are 0, open sets and per-user series absent, no ratio")
    func emptyWindow() throws {
        let builder = WindsurfAnalyticsSnapshotBuilder(team: "acme")
        let (families, _) = try builder.families([Self.answer(custom: [[], [], [], [.init([:])]])])
        let text = render(families)
        for zero in [
            "windsurf_cascade_lines_suggested", "windsurf_cascade_lines_accepted", "windsurf_cascade_conversations", "windsurf_autocomplete_users",
        ] {
            #expect(text.contains("\(zero){team=\"acme\",window=\"7d\"} 0\n"), "\(zero)")
        }
        #expect(text.contains(#"windsurf_code_written_bytes{team="acme",window="7d",author="user"} 0"#))
        for absent in [
            "windsurf_ai_code_written_ratio{", "windsurf_cascade_messages_sent{", "windsurf_cascade_tool_calls{",
            "windsurf_autocomplete_acceptances{",
            "windsurf_user_autocomplete_acceptances{",
        ] {
            #expect(!text.contains(absent), "\(absent)")
        }
    }

    @Test("the api_key join: a user in two groups has a series in each, emails pseudonymized, none without per_user")
    func join() throws {
        let salted = EmailLabeler(pseudonymizingWith: Secret("pepper"))
        let both = try Self.keys([("carol@example.com", "key-carol")], labeler: salted)
        let items: [[WindsurfCustomAnalytics.Item]] = [[], [], [.init(["api_key": "key-carol", "acceptances": "9", "lines_accepted": "3"])], []]
        let answers = ["platform", "design"].map { Self.answer(group: $0, custom: items, users: both) }
        let pseudonym = try #require(salted.label(for: "carol@example.com"))
        let text = render(try WindsurfAnalyticsSnapshotBuilder(team: "acme", emailLabeler: salted).families(answers).families)
        #expect(text.contains(#"windsurf_user_autocomplete_acceptances{team="acme",group="platform",window="7d",email="\#(pseudonym)"} 9"#))
        #expect(text.contains(#"windsurf_user_autocomplete_acceptances{team="acme",group="design",window="7d",email="\#(pseudonym)"} 9"#))
        #expect(!text.contains("carol"))
        let aggregatesOnly = render(try WindsurfAnalyticsSnapshotBuilder(team: "acme", perUser: false).families(answers).families)
        #expect(!aggregatesOnly.contains("windsurf_user_"))
        #expect(aggregatesOnly.contains(#"windsurf_autocomplete_users{team="acme",group="design",window="7d"} 0"#))
    }

    @Test("a value that is not a number is reason decode")
    func notANumber() {
        let builder = WindsurfAnalyticsSnapshotBuilder(team: "acme")
        let answer = Self.answer(custom: [[.init(["language": "GO", "ide": "vscode", "acceptances": "seventeen"])]])
        #expect {
            _ = try builder.families([answer])
        } throws: { error in
            (error as? CollectorError)?.reason == .decode && (error as? CollectorError)?.message.contains("acceptances") == true
        }
    }

    struct ClassificationCase: Sendable, CustomTestStringConvertible {
        let status: Int
        let message: String
        let reason: ErrorReason
        let retried: Bool
        var testDescription: String { "\(status) \(message) → \(reason)" }
    }

    @Test(
        "Windsurf errors: a documented message gives the reason whatever the status; other text goes by the status",
        arguments: [
            ClassificationCase(status: 403, message: "Insufficient permissions", reason: .auth, retried: false),
            ClassificationCase(status: 200, message: "Insufficient permissions", reason: .auth, retried: false),
            ClassificationCase(status: 500, message: "Invalid service key", reason: .auth, retried: false),
            ClassificationCase(status: 400, message: "invalid query table: QUERY_DATA_SOURCE_UNSPECIFIED", reason: .config, retried: false),
            ClassificationCase(status: 500, message: "duplicate field alias for selection/aggregation: users", reason: .config, retried: false),
            ClassificationCase(status: 429, message: "too many requests for this permission group", reason: .rateLimited, retried: true),
            ClassificationCase(status: 503, message: "the permission service is unavailable", reason: .upstream, retried: true),
            ClassificationCase(status: 401, message: "who are you", reason: .auth, retried: false),
            ClassificationCase(status: 404, message: "no such endpoint", reason: .config, retried: false),
        ]
    )
    func classification(_ test: ClassificationCase) {
        let api = WindsurfAPI(
            baseURL: "http://127.0.0.1:9",
            serviceKey: Secret("sk-classification-test"),
            timeout: .seconds(1),
            client: UpstreamClient(httpClient: TestHTTPClient.shared)
        )
        let classified: CollectorError
        if test.status == 200 {
            do {
                try api.checkErrorField(test.message, endpoint: "Analytics")
                classified = CollectorError(.upstream, "no error thrown")
            } catch {
                classified = error as? CollectorError ?? CollectorError(.upstream, "not a CollectorError")
            }
        } else {
            let body = ByteBuffer(string: #"{"error":"\#(test.message)"}"#)
            classified = api.classify(UpstreamResponse(status: test.status, headers: [:], body: body, receivedAt: 0), endpoint: "Analytics")
        }
        #expect(classified.reason == test.reason)
        #expect(classified.isRetryable == test.retried)
    }
}
