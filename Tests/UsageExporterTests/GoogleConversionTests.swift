import Foundation
import NIOCore
import Testing

@testable import UsageExporter

@Suite("Google Workspace conversion")
struct GoogleConversionTests {
    /// 2024-03-09 as a day number; its start at UTC−8 is 1709971200.
    static let day = GoogleReportDate.parse("2024-03-09")!

    func render(_ families: [FamilySamples]) -> String {
        var buffer = ByteBuffer()
        ExpositionPlan(families: families).write(into: &buffer, now: 0)
        return String(buffer: buffer)
    }

    func parameters(_ json: String) throws -> [GoogleUsageParameter] {
        try JSONDecoder().decode([GoogleUsageParameter].self, from: Data(json.utf8))
    }

    @Test("Pacific report dates")
    func reportDates() {
        #expect(GoogleReportDate.start(of: Self.day) == 1_709_971_200)
        #expect(GoogleReportDate.format(Self.day) == "2024-03-09")
        // 07:59 UTC on 10 March is still 9 March in UTC−8; 08:00 is 10 March.
        #expect(GoogleReportDate.day(at: 1_710_057_540) == Self.day)
        #expect(GoogleReportDate.day(at: 1_710_057_600) == Self.day + 1)
        #expect(GoogleReportDate.parse("2024-02-30") == nil)
        #expect(GoogleReportDate.parse("2024-3-9") == nil)
    }

    @Test("every value type of the customer report, with exact exposition text")
    func customerConversion() throws {
        let input = try parameters(
            """
            [
             {"name":"accounts:num_1day_logins","intValue":"17"},
             {"name":"accounts:big_counter","intValue":"9007199254740993"},
             {"name":"accounts:is_2sv_enforced","boolValue":true},
             {"name":"accounts:is_disabled","boolValue":false},
             {"name":"accounts:last_sync_time","datetimeValue":"2024-03-09T10:00:00.000Z"},
             {"name":"accounts:first_seen","datetimeValue":"2024-03-01T00:00:00Z"},
             {"name":"accounts:edition","stringValue":"Business \\"Plus\\""},
             {"name":"accounts:used_quota_in_mb","intValue":"2"},
             {"name":"drive:total_size_mb","intValue":"3"},
             {"name":"meet:total_call_minutes","intValue":"2"},
             {"name":"meet:uptime_hours","intValue":"1"},
             {"name":"classroom:retention_days","intValue":"1"},
             {"name":"accounts:authorized_apps","msgValue":[
               {"client_id":"1.apps","client_name":"Say \\"hi\\" \\\\ to\\nme","num_users":2},
               {"client_id":"2.apps","client_name":"Plain","num_users":"ignored as a label? no: strings are labels"}
             ]},
             {"name":"meet:calls","msgValue":[{"kind":"video","total_minutes":3,"count":2},{"kind":"audio","total_minutes":1,"count":5}]},
             {"name":"app-x:param.with spaces","intValue":"1"},
             {"name":"gmail:labels","msgValue":[{"label":"a"},{"label":"b"}]},
             {"name":"gmail:future_type","unknownValue":{"x":1}}
            ]
            """
        )
        let builder = GoogleSnapshotBuilder(customer: "example.com", userReport: false)
        let (families, notes) = builder.customerFamilies(parameters: input, day: Self.day)
        #expect(notes.unsupportedParameters == ["gmail:future_type"])
        #expect(notes.duplicateSeries.isEmpty)
        let expected = """
            # HELP google_workspace_accounts_authorized_apps Google Workspace customer usage parameter accounts:authorized_apps (num_users), one series per object.
            # TYPE google_workspace_accounts_authorized_apps gauge
            google_workspace_accounts_authorized_apps{customer="example.com",client_id="1.apps",client_name="Say \\"hi\\" \\\\ to\\nme"} 2
            # HELP google_workspace_accounts_authorized_apps_info Google Workspace customer usage parameter accounts:authorized_apps, one series per object; always 1.
            # TYPE google_workspace_accounts_authorized_apps_info gauge
            google_workspace_accounts_authorized_apps_info{customer="example.com",client_id="2.apps",client_name="Plain",num_users="ignored as a label? no: strings are labels"} 1
            # HELP google_workspace_accounts_big_counter Google Workspace customer usage parameter accounts:big_counter.
            # TYPE google_workspace_accounts_big_counter gauge
            google_workspace_accounts_big_counter{customer="example.com"} 9007199254740992
            # HELP google_workspace_accounts_edition_info Google Workspace customer usage parameter accounts:edition as the label value; always 1.
            # TYPE google_workspace_accounts_edition_info gauge
            google_workspace_accounts_edition_info{customer="example.com",value="Business \\"Plus\\""} 1
            # HELP google_workspace_accounts_first_seen_timestamp_seconds Google Workspace customer usage parameter accounts:first_seen, in Unix seconds.
            # TYPE google_workspace_accounts_first_seen_timestamp_seconds gauge
            google_workspace_accounts_first_seen_timestamp_seconds{customer="example.com"} 1709251200
            # HELP google_workspace_accounts_is_2sv_enforced Google Workspace customer usage parameter accounts:is_2sv_enforced (1 true, 0 false).
            # TYPE google_workspace_accounts_is_2sv_enforced gauge
            google_workspace_accounts_is_2sv_enforced{customer="example.com"} 1
            # HELP google_workspace_accounts_is_disabled Google Workspace customer usage parameter accounts:is_disabled (1 true, 0 false).
            # TYPE google_workspace_accounts_is_disabled gauge
            google_workspace_accounts_is_disabled{customer="example.com"} 0
            # HELP google_workspace_accounts_last_sync_timestamp_seconds Google Workspace customer usage parameter accounts:last_sync_time, in Unix seconds.
            # TYPE google_workspace_accounts_last_sync_timestamp_seconds gauge
            google_workspace_accounts_last_sync_timestamp_seconds{customer="example.com"} 1709978400
            # HELP google_workspace_accounts_num_1day_logins Google Workspace customer usage parameter accounts:num_1day_logins.
            # TYPE google_workspace_accounts_num_1day_logins gauge
            google_workspace_accounts_num_1day_logins{customer="example.com"} 17
            # HELP google_workspace_accounts_used_quota_bytes Google Workspace customer usage parameter accounts:used_quota_in_mb, in base units.
            # TYPE google_workspace_accounts_used_quota_bytes gauge
            google_workspace_accounts_used_quota_bytes{customer="example.com"} 2097152
            # HELP google_workspace_app_x_param_with_spaces Google Workspace customer usage parameter app-x:param.with spaces.
            # TYPE google_workspace_app_x_param_with_spaces gauge
            google_workspace_app_x_param_with_spaces{customer="example.com"} 1
            # HELP google_workspace_classroom_retention_seconds Google Workspace customer usage parameter classroom:retention_days, in base units.
            # TYPE google_workspace_classroom_retention_seconds gauge
            google_workspace_classroom_retention_seconds{customer="example.com"} 86400
            # HELP google_workspace_drive_total_size_bytes Google Workspace customer usage parameter drive:total_size_mb, in base units.
            # TYPE google_workspace_drive_total_size_bytes gauge
            google_workspace_drive_total_size_bytes{customer="example.com"} 3145728
            # HELP google_workspace_gmail_labels_info Google Workspace customer usage parameter gmail:labels, one series per object; always 1.
            # TYPE google_workspace_gmail_labels_info gauge
            google_workspace_gmail_labels_info{customer="example.com",label="a"} 1
            google_workspace_gmail_labels_info{customer="example.com",label="b"} 1
            # HELP google_workspace_meet_calls_count Google Workspace customer usage parameter meet:calls field count, one series per object.
            # TYPE google_workspace_meet_calls_count gauge
            google_workspace_meet_calls_count{customer="example.com",kind="video"} 2
            google_workspace_meet_calls_count{customer="example.com",kind="audio"} 5
            # HELP google_workspace_meet_calls_total_seconds Google Workspace customer usage parameter meet:calls field total_minutes, one series per object.
            # TYPE google_workspace_meet_calls_total_seconds gauge
            google_workspace_meet_calls_total_seconds{customer="example.com",kind="video"} 180
            google_workspace_meet_calls_total_seconds{customer="example.com",kind="audio"} 60
            # HELP google_workspace_meet_total_call_seconds Google Workspace customer usage parameter meet:total_call_minutes, in base units.
            # TYPE google_workspace_meet_total_call_seconds gauge
            google_workspace_meet_total_call_seconds{customer="example.com"} 120
            # HELP google_workspace_meet_uptime_seconds Google Workspace customer usage parameter meet:uptime_hours, in base units.
            # TYPE google_workspace_meet_uptime_seconds gauge
            google_workspace_meet_uptime_seconds{customer="example.com"} 3600
            # HELP google_workspace_usage_report_date_timestamp_seconds Start (00:00 UTC-8) of the report date the Workspace values describe, by report (customer or user).
            # TYPE google_workspace_usage_report_date_timestamp_seconds gauge
            google_workspace_usage_report_date_timestamp_seconds{customer="example.com",report="customer"} 1709971200

            """
        #expect(render(families) == expected)
    }

    @Test("parameters that map to one family and objects with the same labels give no duplicate series")
    func duplicates() throws {
        let input = try parameters(
            """
            [{"name":"accounts:used_quota_in_mb","intValue":"1"},{"name":"accounts:used_quota_mb","intValue":"2"},
             {"name":"accounts:authorized_apps","msgValue":[{"client_id":"1","num_users":2},{"client_id":"1","num_users":3}]}]
            """
        )
        let (families, notes) = GoogleSnapshotBuilder(customer: "c", userReport: false).customerFamilies(parameters: input, day: Self.day)
        let text = render(families)
        #expect(text.contains(#"google_workspace_accounts_used_quota_bytes{customer="c"} 1048576"#))
        #expect(!text.contains("2097152"))
        #expect(text.contains(#"google_workspace_accounts_authorized_apps{customer="c",client_id="1"} 2"#))
        #expect(!text.contains(#"client_id="1"} 3"#))
        #expect(
            notes.duplicateSeries == [
                #"google_workspace_accounts_used_quota_bytes{customer="c"}"#,
                #"google_workspace_accounts_authorized_apps{customer="c",client_id="1"}"#,
            ]
        )
    }

    @Test("label names from object fields are made valid and never clash with customer, email or value")
    func labelNames() throws {
        let input = try parameters(#"[{"name":"a:b","msgValue":[{"customer":"x","9lives":"y","__x":"z","n":1}]}]"#)
        let (families, _) = GoogleSnapshotBuilder(customer: "c", userReport: false).customerFamilies(parameters: input, day: Self.day)
        #expect(render(families).contains(#"google_workspace_a_b{customer="c",field_9lives="y",field___x="z",field_customer="x"} 1"#))
    }

    @Test("the per-user report: `_user_` families keyed by lower-cased email; Google's never (1970) is 0; entries without email are skipped")
    func userConversion() throws {
        let alice = try parameters(
            """
            [{"name":"accounts:last_login_time","datetimeValue":"2024-03-08T12:00:00.000Z"},{"name":"accounts:is_suspended","boolValue":false},
             {"name":"accounts:used_quota_in_mb","intValue":"1"},{"name":"gmail:last_interaction_time","datetimeValue":"1970-01-01T00:00:00.000Z"}]
            """
        )
        let bob = try parameters(#"[{"name":"accounts:is_suspended","boolValue":true}]"#)
        let builder = GoogleSnapshotBuilder(customer: "example.com", userReport: true)
        let (families, notes) = builder.userFamilies(reports: [(" Alice@Example.COM", alice), ("bob@example.com", bob), (nil, bob)], day: Self.day)
        #expect(notes.usersWithoutEmail == 1)
        #expect(
            render(families) == """
                # HELP google_workspace_usage_report_date_timestamp_seconds Start (00:00 UTC-8) of the report date the Workspace values describe, by report (customer or user).
                # TYPE google_workspace_usage_report_date_timestamp_seconds gauge
                google_workspace_usage_report_date_timestamp_seconds{customer="example.com",report="user"} 1709971200
                # HELP google_workspace_user_accounts_is_suspended Google Workspace per-user usage parameter accounts:is_suspended (1 true, 0 false).
                # TYPE google_workspace_user_accounts_is_suspended gauge
                google_workspace_user_accounts_is_suspended{customer="example.com",email="alice@example.com"} 0
                google_workspace_user_accounts_is_suspended{customer="example.com",email="bob@example.com"} 1
                # HELP google_workspace_user_accounts_last_login_timestamp_seconds Google Workspace per-user usage parameter accounts:last_login_time, in Unix seconds.
                # TYPE google_workspace_user_accounts_last_login_timestamp_seconds gauge
                google_workspace_user_accounts_last_login_timestamp_seconds{customer="example.com",email="alice@example.com"} 1709899200
                # HELP google_workspace_user_accounts_used_quota_bytes Google Workspace per-user usage parameter accounts:used_quota_in_mb, in base units.
                # TYPE google_workspace_user_accounts_used_quota_bytes gauge
                google_workspace_user_accounts_used_quota_bytes{customer="example.com",email="alice@example.com"} 1048576
                # HELP google_workspace_user_gmail_last_interaction_timestamp_seconds Google Workspace per-user usage parameter gmail:last_interaction_time, in Unix seconds.
                # TYPE google_workspace_user_gmail_last_interaction_timestamp_seconds gauge
                google_workspace_user_gmail_last_interaction_timestamp_seconds{customer="example.com",email="alice@example.com"} 0

                """
        )
    }

    @Test("a user reported twice (the same address in another case) keeps the first entry's series; the second's are counted as duplicates")
    func userReportedTwice() throws {
        let first = try parameters(#"[{"name":"accounts:is_suspended","boolValue":false},{"name":"accounts:is_2sv_enrolled","boolValue":true}]"#)
        let second = try parameters(#"[{"name":"accounts:is_suspended","boolValue":true},{"name":"accounts:used_quota_in_mb","intValue":"2"}]"#)
        let builder = GoogleSnapshotBuilder(customer: "example.com", userReport: true)
        let (families, notes) = builder.userFamilies(reports: [("carol@example.com", first), ("Carol@Example.com", second)], day: Self.day)
        let text = render(families)
        #expect(text.contains(#"google_workspace_user_accounts_is_suspended{customer="example.com",email="carol@example.com"} 0"#))
        #expect(!text.contains(#"google_workspace_user_accounts_is_suspended{customer="example.com",email="carol@example.com"} 1"#))
        #expect(text.contains(#"google_workspace_user_accounts_used_quota_bytes{customer="example.com",email="carol@example.com"} 2097152"#))
        #expect(notes.duplicateSeries == [#"google_workspace_user_accounts_is_suspended{customer="example.com",email="carol@example.com"}"#])
    }

    @Test("reports of one poll share one copy of each parameter name and keep every value")
    func sharedParameterNames() throws {
        let page = try JSONDecoder().decode(
            GoogleUsageReportPage.self,
            from: Data(
                #"{"usageReports":[{"date":"2024-03-09","entity":{"userEmail":"a@example.com"},"parameters":[{"name":"accounts:is_suspended","boolValue":true}]},{"date":"2024-03-09","entity":{"userEmail":"b@example.com"},"parameters":[{"name":"accounts:is_suspended","boolValue":false},{"name":"gmail:num_emails_received","intValue":"7"}]}]}"#
                    .utf8
            )
        )
        var names: Set<String> = []
        let shared = page.usageReports.map { $0.sharingNames(&names) }
        #expect(names == ["accounts:is_suspended", "gmail:num_emails_received"])
        #expect(shared.map(\.userEmail) == ["a@example.com", "b@example.com"])
        #expect(shared.map(\.parameters) == page.usageReports.map(\.parameters))
    }
}
