import Foundation
import NIOCore
import Testing

@testable import UsageExporter

@Suite("Windsurf decoding")
struct WindsurfDecodingTests {
    func decode(_ json: String) throws -> WindsurfUserPage {
        try JSONDecoder().decode(WindsurfUserPage.self, from: Data(json.utf8))
    }

    @Test("the documented example decodes, and the apiKey is not kept")
    func documentedExample() throws {
        let page = try decode(
            """
            {"userTableStats":[{"name":"Alice","email":"alice@windsurf.com","lastUpdateTime":"2024-10-10T22:56:10.771591Z",
            "apiKey":"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa","activeDays":178,"role":"admin","signupTime":"2024-01-15T08:30:00Z",
            "lastAutocompleteUsageTime":"2024-10-10T22:56:10Z","lastChatUsageTime":"2024-10-10T20:30:00Z","promptCreditsUsed":12500,
            "teamStatus":"USER_TEAM_STATUS_APPROVED"}],
            "billingCycleStart":"2024-10-01T00:00:00Z","billingCycleEnd":"2024-11-01T00:00:00Z"}
            """
        )
        let alice = try #require(page.users.first)
        #expect(alice.name == "Alice")
        #expect(alice.email == "alice@windsurf.com")
        #expect(alice.role == "admin")
        #expect(alice.teamStatus == "USER_TEAM_STATUS_APPROVED")
        #expect(alice.activeDays == 178)
        #expect(alice.promptCreditsUsed == 12500)
        #expect(alice.disabled == false)
        #expect(alice.signupTime == 1_705_307_400)
        #expect(abs(alice.lastUpdateTime! - 1_728_600_970.771591) < 1e-6)
        #expect(alice.lastAutocompleteUsageTime == 1_728_600_970)
        #expect(alice.lastChatUsageTime == 1_728_592_200)
        #expect(alice.lastCommandUsageTime == nil)
        #expect(alice.lastUsageTime == 1_728_600_970)
        #expect(page.billingCycleStart == 1_727_740_800)
        #expect(page.billingCycleEnd == 1_730_419_200)
        #expect(page.error == "")
        // Nothing the decoder kept mentions the key.
        #expect(!String(reflecting: page).contains("aaaaaaaa"))
    }

    @Test("int64 as a number or a string; booleans as true/false or strings")
    func flexibleNumbers() throws {
        let page = try decode(
            """
            {"userTableStats":[
              {"email":"a@x","activeDays":"12","promptCreditsUsed":"9007199254740993","disableCodeium":true},
              {"email":"b@x","activeDays":3.0,"promptCreditsUsed":250,"disableCodeium":"true"},
              {"email":"c@x","activeDays":null,"promptCreditsUsed":null,"disableCodeium":"false"}]}
            """
        )
        #expect(page.users[0].activeDays == 12)
        #expect(page.users[0].promptCreditsUsed == 9_007_199_254_740_992)  // above 2^53: nearest double
        #expect(page.users[0].disabled)
        #expect(page.users[1].activeDays == 3)
        #expect(page.users[1].promptCreditsUsed == 250)
        #expect(page.users[1].disabled)
        #expect(page.users[2].activeDays == 0)
        #expect(page.users[2].disabled == false)
    }

    @Test("omitted zero, false and empty fields (proto3 JSON) and unknown fields")
    func omittedAndUnknownFields() throws {
        let page = try decode(
            """
            {"userTableStats":[{"email":"quiet@x","someNewField":{"nested":[1,2,"three"]},"anotherOne":7}],"futureTopLevel":true}
            """
        )
        let user = try #require(page.users.first)
        #expect(user == WindsurfUser(email: "quiet@x", teamStatus: "USER_TEAM_STATUS_UNSPECIFIED"))
        // The enum's zero value is omitted by proto3 JSON: never an empty label.
        #expect(user.teamStatus == "USER_TEAM_STATUS_UNSPECIFIED")
        #expect(user.lastUsageTime == nil)
        #expect(page.billingCycleStart == nil)
        #expect(try decode("{}").users.isEmpty)
    }

    @Test("empty and zero timestamps mean never")
    func zeroTimestamps() throws {
        let page = try decode(#"{"userTableStats":[{"email":"n@x","lastChatUsageTime":"1970-01-01T00:00:00Z","signupTime":""}]}"#)
        #expect(page.users[0].lastChatUsageTime == nil)
        #expect(page.users[0].signupTime == nil)
    }

    @Test(
        "malformed fields are decode errors naming the field",
        arguments: [
            #"{"userTableStats":[{"email":"a","activeDays":"twelve"}]}"#,
            #"{"userTableStats":[{"email":"a","lastChatUsageTime":"last tuesday"}]}"#,
            #"{"userTableStats":[{"email":"a","disableCodeium":"maybe"}]}"#,
            #"{"userTableStats":{"email":"a"}}"#,
            #"{"userTableStats":[{"email":"a","activeDays":"#,
            "<html>502</html>",
        ]
    )
    func malformed(json: String) {
        #expect(throws: DecodingError.self) { try decode(json) }
    }

    @Test("the error field is kept")
    func errorField() throws {
        #expect(try decode(#"{"error":"Invalid service key"}"#).error == "Invalid service key")
    }

    @Test("credit balance with numbers as strings")
    func creditBalance() throws {
        let balance = try JSONDecoder().decode(
            WindsurfCreditBalance.self,
            from: Data(
                """
                {"promptCreditsPerSeat":500,"numSeats":"25","addOnCreditsAvailable":"10000","addOnCreditsUsed":1250,
                 "billingCycleStart":"2024-10-01T00:00:00Z","billingCycleEnd":"2024-11-01T00:00:00Z"}
                """.utf8
            )
        )
        #expect(balance.promptCreditsPerSeat == 500)
        #expect(balance.seats == 25)
        #expect(balance.addOnCreditsAvailable == 10_000)
        #expect(balance.addOnCreditsUsed == 1250)
        #expect(balance.billingCycleEnd == 1_730_419_200)
        let empty = try JSONDecoder().decode(WindsurfCreditBalance.self, from: Data("{}".utf8))
        #expect(empty.seats == 0 && empty.addOnCreditsUsed == 0)
    }
}

@Suite("Windsurf families")
struct WindsurfSnapshotBuilderTests {
    static let now = 1_728_600_000.0

    func render(_ families: [FamilySamples], now: Double = now) -> String {
        var buffer = NIOCore.ByteBuffer()
        ExpositionPlan(families: families).write(into: &buffer, now: now)
        return String(buffer: buffer)
    }

    @Test("a whole-team poll renders every family exactly")
    func wholeTeam() {
        let users = [
            WindsurfUser(
                name: "Zoë \"Z\" Back\\slash\nNext",
                email: "  Zoe@Example.COM ",
                role: "admin",
                teamStatus: "USER_TEAM_STATUS_APPROVED",
                promptCreditsUsed: 12_550,
                activeDays: 5,
                disabled: false,
                signupTime: 1_700_000_000,
                lastUpdateTime: 1_728_599_000.5,
                lastAutocompleteUsageTime: Self.now - 3600,
                lastChatUsageTime: Self.now - 10 * 86_400
            ),
            WindsurfUser(name: "Never", email: "never@example.com", role: "member", teamStatus: "USER_TEAM_STATUS_PENDING", disabled: true),
            WindsurfUser(email: ""),  // skipped: no email
            WindsurfUser(email: "ZOE@example.com"),  // skipped: the same address again
        ]
        let builder = WindsurfSnapshotBuilder(team: "acme")
        let (families, notes) = builder.userFamilies(pages: [
            (nil, WindsurfUserPage(users: users, billingCycleStart: 1_727_740_800, billingCycleEnd: 1_730_419_200))
        ])
        #expect(notes == .init(usersWithoutEmail: 1, duplicateUsers: 1))
        let text = render(families)
        let expected = """
            # HELP windsurf_active_users Users whose newest usage of any kind is within the window before now (1d, 7d, 30d).
            # TYPE windsurf_active_users gauge
            windsurf_active_users{team="acme",window="1d"} 1
            windsurf_active_users{team="acme",window="7d"} 1
            windsurf_active_users{team="acme",window="30d"} 1
            # HELP windsurf_billing_cycle_end_timestamp_seconds End of the current billing cycle, in Unix seconds.
            # TYPE windsurf_billing_cycle_end_timestamp_seconds gauge
            windsurf_billing_cycle_end_timestamp_seconds{team="acme"} 1730419200
            # HELP windsurf_billing_cycle_start_timestamp_seconds Start of the current billing cycle, in Unix seconds.
            # TYPE windsurf_billing_cycle_start_timestamp_seconds gauge
            windsurf_billing_cycle_start_timestamp_seconds{team="acme"} 1727740800
            # HELP windsurf_prompt_credits_used Prompt credits used in the current billing cycle, summed over users.
            # TYPE windsurf_prompt_credits_used gauge
            windsurf_prompt_credits_used{team="acme"} 125.5
            # HELP windsurf_user_active_dates Distinct days with Windsurf activity within the configured active_days_window.
            # TYPE windsurf_user_active_dates gauge
            windsurf_user_active_dates{team="acme",email="zoe@example.com"} 5
            windsurf_user_active_dates{team="acme",email="never@example.com"} 0
            # HELP windsurf_user_disabled 1 when Windsurf is disabled for the user (disableCodeium), else 0.
            # TYPE windsurf_user_disabled gauge
            windsurf_user_disabled{team="acme",email="zoe@example.com"} 0
            windsurf_user_disabled{team="acme",email="never@example.com"} 1
            # HELP windsurf_user_info A Windsurf team member, with name, role and team status; always 1.
            # TYPE windsurf_user_info gauge
            windsurf_user_info{team="acme",email="zoe@example.com",name="Zoë \\"Z\\" Back\\\\slash\\nNext",role="admin",team_status="USER_TEAM_STATUS_APPROVED"} 1
            windsurf_user_info{team="acme",email="never@example.com",name="Never",role="member",team_status="USER_TEAM_STATUS_PENDING"} 1
            # HELP windsurf_user_last_update_timestamp_seconds When Windsurf last updated the user's statistics, in Unix seconds.
            # TYPE windsurf_user_last_update_timestamp_seconds gauge
            windsurf_user_last_update_timestamp_seconds{team="acme",email="zoe@example.com"} 1728599000.5
            # HELP windsurf_user_last_usage_age_seconds Seconds since the user last used a kind of feature, computed at scrape time.
            # TYPE windsurf_user_last_usage_age_seconds gauge
            windsurf_user_last_usage_age_seconds{team="acme",email="zoe@example.com",kind="autocomplete"} 3600
            windsurf_user_last_usage_age_seconds{team="acme",email="zoe@example.com",kind="chat"} 864000
            # HELP windsurf_user_last_usage_timestamp_seconds When the user last used a kind of feature (autocomplete, chat, command), in Unix seconds; absent when never used.
            # TYPE windsurf_user_last_usage_timestamp_seconds gauge
            windsurf_user_last_usage_timestamp_seconds{team="acme",email="zoe@example.com",kind="autocomplete"} 1728596400
            windsurf_user_last_usage_timestamp_seconds{team="acme",email="zoe@example.com",kind="chat"} 1727736000
            # HELP windsurf_user_prompt_credits_used Prompt credits the user used in the current billing cycle.
            # TYPE windsurf_user_prompt_credits_used gauge
            windsurf_user_prompt_credits_used{team="acme",email="zoe@example.com"} 125.5
            windsurf_user_prompt_credits_used{team="acme",email="never@example.com"} 0
            # HELP windsurf_user_signup_timestamp_seconds When the user signed up, in Unix seconds.
            # TYPE windsurf_user_signup_timestamp_seconds gauge
            windsurf_user_signup_timestamp_seconds{team="acme",email="zoe@example.com"} 1700000000
            # HELP windsurf_users Number of Windsurf team members by role and team status.
            # TYPE windsurf_users gauge
            windsurf_users{team="acme",role="admin",team_status="USER_TEAM_STATUS_APPROVED"} 1
            windsurf_users{team="acme",role="member",team_status="USER_TEAM_STATUS_PENDING"} 1

            """
        #expect(text == expected)
        // A day later the ages have grown and the 1d window is empty, without a new poll.
        let later = render(families, now: Self.now + 86_400)
        #expect(later.contains(#"windsurf_user_last_usage_age_seconds{team="acme",email="zoe@example.com",kind="autocomplete"} 90000"#))
        #expect(later.contains(#"windsurf_active_users{team="acme",window="1d"} 0"#))
    }

    @Test("group polls carry the group label; a user in two groups appears in both")
    func groups() {
        let shared = WindsurfUser(email: "both@example.com", role: "member", promptCreditsUsed: 100, lastChatUsageTime: Self.now - 60)
        let builder = WindsurfSnapshotBuilder(team: "acme")
        let (families, _) = builder.userFamilies(pages: [
            ("platform", WindsurfUserPage(users: [shared, WindsurfUser(email: "p@example.com", promptCreditsUsed: 50)])),
            ("design", WindsurfUserPage(users: [shared])),
        ])
        let parsed = ParsedExposition(render(families))
        #expect(parsed.value("windsurf_user_prompt_credits_used", ["group": "platform", "email": "both@example.com"]) == 1)
        #expect(parsed.value("windsurf_user_prompt_credits_used", ["group": "design", "email": "both@example.com"]) == 1)
        #expect(parsed.value("windsurf_prompt_credits_used", ["team": "acme", "group": "platform"]) == 1.5)
        #expect(parsed.value("windsurf_prompt_credits_used", ["team": "acme", "group": "design"]) == 1)
        #expect(parsed.value("windsurf_active_users", ["group": "platform", "window": "1d"]) == 1)
        #expect(parsed.samples("windsurf_users").allSatisfy { $0.labels["group"] != nil })
    }

    @Test("per_user false keeps only team aggregates")
    func aggregatesOnly() {
        let builder = WindsurfSnapshotBuilder(team: "acme", perUser: false)
        let (families, _) = builder.userFamilies(pages: [
            (nil, WindsurfUserPage(users: [WindsurfUser(email: "a@x", promptCreditsUsed: 300, lastChatUsageTime: Self.now)]))
        ])
        let text = render(families)
        #expect(!text.contains("email="))
        #expect(text.contains(#"windsurf_prompt_credits_used{team="acme"} 3"#))
        #expect(text.contains(#"windsurf_users{team="acme",role="",team_status=""} 1"#))
    }

    @Test("credit balance families")
    func creditBalance() {
        let builder = WindsurfSnapshotBuilder(team: "acme")
        let families = builder.creditBalanceFamilies(
            WindsurfCreditBalance(promptCreditsPerSeat: 500, seats: 25, addOnCreditsAvailable: 10_000, addOnCreditsUsed: 1250)
        )
        let parsed = ParsedExposition(render(families))
        #expect(parsed.value("windsurf_team_seats", ["team": "acme"]) == 25)
        #expect(parsed.value("windsurf_team_prompt_credits_per_seat", ["team": "acme"]) == 500)
        #expect(parsed.value("windsurf_team_add_on_credits_available", ["team": "acme"]) == 10_000)
        #expect(parsed.value("windsurf_team_add_on_credits_used", ["team": "acme"]) == 1250)
    }
}
