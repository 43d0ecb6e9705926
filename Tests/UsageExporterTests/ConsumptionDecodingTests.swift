import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import UsageExporter

/// The consumption API's answers decoded and summed, without a network: numbers in every form the API might
/// send, both billing strategies, windows, and every error status.
@Suite("Consumption decoding")
struct ConsumptionDecodingTests {
    /// 2026-01-16T12:00:00Z: today is 2026-01-16, the 7d window is 2026-01-09 … 2026-01-15.
    static let now = 1_768_564_800.0
    static let windows = [7, 30].map { WindsurfAnalyticsWindow(days: $0, now: now) }

    func page(_ json: String) throws -> WindsurfConsumptionPage {
        try JSONDecoder().decode(WindsurfConsumptionPage.self, from: Data(json.utf8))
    }

    @Test("the documented example, numbers as strings, null and absent fields, billed_acus inside or beside consumption")
    func rows() throws {
        let documented = try page(
            """
            {"data":[{"timestamp":"2026-01-15","user_id":"user_abc123","user_email":"alice@example.com",
            "consumption":{"prompt_credits":1250,"flex_credits":340,"message_count":87}}],
            "pagination":{"next_page_cursor":null},
            "metadata":{"billing_strategy":"CREDITS","data_freshness":"2026-01-16T03:00:00Z","query_time_ms":1423,"team_id":"team_abc123"}}
            """
        )
        #expect(
            documented.rows == [
                .init(day: 20468, userEmail: "alice@example.com", modelUID: "", promptCredits: 1250, flexCredits: 340, messageCount: 87)
            ]
        )
        #expect(documented.nextPageCursor == nil && documented.billingStrategy == "CREDITS")
        #expect(documented.dataFreshness == 1_768_532_400)

        let varied = try page(
            """
            {"data":[
              {"timestamp":"2026-01-15T00:00:00Z","user_email":"b@x","model_uid":"gpt-5","consumption":{"billed_acus":"1.25","message_count":"3"}},
              {"timestamp":"2026-01-14","user_email":"c@x","model_uid":"swe-1-5","billed_acus":0.5,"consumption":{"message_count":2,"prompt_credits":null}},
              {"timestamp":"2026-01-14","model_uid":"swe-1-5"},
              {"timestamp":"yesterday","user_email":"d@x"}],
             "pagination":{"next_page_cursor":""},"metadata":{"billing_strategy":"ACU"}}
            """
        )
        #expect(varied.rows[0] == .init(day: 20468, userEmail: "b@x", modelUID: "gpt-5", billedACUs: 1.25, messageCount: 3))
        #expect(varied.rows[1] == .init(day: 20467, userEmail: "c@x", modelUID: "swe-1-5", billedACUs: 0.5, messageCount: 2))
        #expect(varied.rows[2] == .init(day: 20467, userEmail: "", modelUID: "swe-1-5"))
        #expect(varied.rows[3].day == nil)
        #expect(varied.nextPageCursor == nil)
        #expect(try page("{}").rows.isEmpty)
    }

    @Test(
        "numbers that are not amounts are refused, never a trap",
        arguments: [
            #"{"data":[{"consumption":{"prompt_credits":-1}}]}"#,
            #"{"data":[{"consumption":{"prompt_credits":"NaN"}}]}"#,
            #"{"data":[{"consumption":{"billed_acus":1e300}}]}"#,
            #"{"data":[{"consumption":{"message_count":"many"}}]}"#,
            #"{"data":[{"consumption":{"flex_credits":true}}]}"#,
            #"{"data":{"rows":[]}}"#,
            #"{"metadata":{"data_freshness":"soon"}}"#,
        ]
    )
    func refusedNumbers(_ json: String) {
        #expect(throws: DecodingError.self) { try page(json) }
    }

    @Test("rows are summed into each window (end exclusive), by model and by user; each strategy exports its quantities")
    func windows() throws {
        let builder = WindsurfConsumptionSnapshotBuilder(team: "acme")
        var sums = builder.accumulator(windows: Self.windows)
        sums.add(
            try page(
                """
                {"data":[
                  {"timestamp":"2026-01-15","user_email":"Alice@Example.com","model_uid":"gpt-5","consumption":{"prompt_credits":0.1,"flex_credits":0,"message_count":1}},
                  {"timestamp":"2026-01-15","user_email":"alice@example.com ","model_uid":"gpt-5","consumption":{"prompt_credits":0.2,"flex_credits":1.5,"message_count":2}},
                  {"timestamp":"2026-01-01","user_email":"bob@example.com","model_uid":"","consumption":{"prompt_credits":4,"message_count":5}},
                  {"timestamp":"2026-01-16","user_email":"bob@example.com","model_uid":"gpt-5","consumption":{"prompt_credits":100,"message_count":100}},
                  {"timestamp":"2025-12-01","user_email":"bob@example.com","model_uid":"gpt-5","consumption":{"prompt_credits":100,"message_count":100}},
                  {"timestamp":"2026-01-10","model_uid":"gpt-5","consumption":{"prompt_credits":1,"message_count":1}}],
                 "metadata":{"billing_strategy":"CREDITS","data_freshness":"2026-01-16T11:00:00Z"}}
                """
            )
        )
        #expect(sums.notes == .init(rowsWithoutDay: 0, rowsOutsideWindows: 2, rowsWithoutEmail: 1))
        let text = render(sums.finish())
        #expect(text.contains(#"windsurf_user_consumption_prompt_credits{team="acme",window="7d",email="alice@example.com",model="gpt-5"} 0.3"#))
        #expect(text.contains(#"windsurf_user_consumption_flex_credits{team="acme",window="7d",email="alice@example.com",model="gpt-5"} 1.5"#))
        #expect(text.contains(#"windsurf_user_consumption_messages{team="acme",window="30d",email="bob@example.com",model="unknown"} 5"#))
        #expect(!text.contains(#"window="7d",email="bob@example.com""#))
        #expect(text.contains(#"windsurf_consumption_prompt_credits{team="acme",window="7d",model="gpt-5"} 1.3"#))
        #expect(text.contains(#"windsurf_consumption_messages{team="acme",window="30d",model="gpt-5"} 4"#))
        #expect(text.contains(#"windsurf_consumption_billing_strategy_info{team="acme",strategy="CREDITS"} 1"#))
        #expect(text.contains(#"windsurf_consumption_data_freshness_timestamp_seconds{team="acme"} 1768561200"#))
        #expect(!text.contains("acus"))

        var acu = WindsurfConsumptionSnapshotBuilder(team: "globex", perUser: false).accumulator(windows: Self.windows)
        acu.add(
            try page(
                #"{"data":[{"timestamp":"2026-01-15","user_email":"a@x","model_uid":"m","consumption":{"billed_acus":0.1,"message_count":1}},{"timestamp":"2026-01-15","user_email":"a@x","model_uid":"m","consumption":{"billed_acus":0.2,"prompt_credits":0}}],"metadata":{"billing_strategy":"ACU"}}"#
            )
        )
        let acuText = render(acu.finish())
        #expect(acuText.contains(#"windsurf_consumption_acus{team="globex",window="7d",model="m"} 0.3"#))
        #expect(!acuText.contains("credits") && !acuText.contains("windsurf_user_"))

        // A strategy the exporter does not know: whatever the rows fill.
        var other = WindsurfConsumptionSnapshotBuilder(team: "initech").accumulator(windows: Self.windows)
        other.add(
            try page(
                #"{"data":[{"timestamp":"2026-01-15","user_email":"a@x","model_uid":"m","consumption":{"billed_acus":2}}],"metadata":{"billing_strategy":"HYBRID"}}"#
            )
        )
        let otherText = render(other.finish())
        #expect(otherText.contains(#"windsurf_consumption_acus{team="initech",window="7d",model="m"} 2"#))
        #expect(otherText.contains(#"strategy="HYBRID""#) && !otherText.contains("prompt_credits"))
    }

    func render(_ families: [FamilySamples]) -> String {
        var buffer = ByteBuffer()
        for samples in families { samples.body.write(into: &buffer, now: Self.now) }
        return String(buffer: buffer)
    }

    @Test("the query covers the longest window; the URL encodes the cursor")
    func query() {
        let api = WindsurfAPI(
            baseURL: "https://server.codeium.com",
            serviceKey: Secret("k"),
            timeout: .seconds(5),
            client: UpstreamClient(httpClient: TestHTTPClient.shared)
        )
        let query = WindsurfAPI.ConsumptionQuery(windows: Self.windows)
        #expect(query.startDate == "2025-12-17" && query.endDate == "2026-01-15")
        #expect(
            api.consumptionURL(query, cursor: "a+b/c=")
                == "https://server.codeium.com/api/v2alpha/analytics/consumption?granularity=daily&group_by=user,model_uid&start_date=2025-12-17&end_date=2026-01-15&page_size=10000&page_cursor=a%2Bb%2Fc%3D"
        )
    }

    struct StatusCase: Sendable, CustomTestStringConvertible {
        let status: Int
        let body: String
        let reason: ErrorReason
        let retried: Bool
        var retryAfter: String? = nil
        var testDescription: String { "HTTP \(status) \(body)" }
    }

    @Test(
        "error answers: auth, config, rate_limited and upstream, the key blanked out of every message",
        arguments: [
            StatusCase(status: 401, body: #"{"error":"Invalid service key"}"#, reason: .auth, retried: false),
            StatusCase(status: 403, body: #"{"error":"Insufficient permissions"}"#, reason: .auth, retried: false),
            StatusCase(status: 400, body: #"{"error":"Invalid service key"}"#, reason: .auth, retried: false),
            StatusCase(status: 400, body: #"{"error":{"message":"invalid group_by"}}"#, reason: .config, retried: false),
            StatusCase(status: 404, body: "<html>not found</html>", reason: .config, retried: false),
            StatusCase(status: 429, body: #"{"message":"slow down"}"#, reason: .rateLimited, retried: true, retryAfter: "30"),
            StatusCase(status: 502, body: #"{"detail":"bad gateway"}"#, reason: .upstream, retried: true),
            StatusCase(status: 418, body: "", reason: .config, retried: false),
            StatusCase(status: 204, body: "", reason: .upstream, retried: false),
        ]
    )
    func classification(_ test: StatusCase) {
        let api = WindsurfAPI(
            baseURL: "https://server.codeium.com",
            serviceKey: Secret("sk-secret"),
            timeout: .seconds(5),
            client: UpstreamClient(httpClient: TestHTTPClient.shared)
        )
        var headers = HTTPHeaders()
        if let retryAfter = test.retryAfter { headers.add(name: "Retry-After", value: retryAfter) }
        let body = test.body.replacingOccurrences(of: "slow down", with: "slow down, sk-secret")
        let error = api.classifyConsumption(
            UpstreamResponse(status: test.status, headers: headers, body: ByteBuffer(string: body), receivedAt: Self.now)
        )
        #expect(error.reason == test.reason)
        #expect(error.isRetryable == test.retried)
        #expect(!error.message.contains("sk-secret"))
        if let retryAfter = test.retryAfter { #expect(error.retryAfter == .seconds(Int(retryAfter)!)) }
    }
}
