/// Generates a team's analytics rows (`SimulatedWindsurfAnalytics`) from its users, deterministically from a
/// seed: daily activity over the `days` UTC days before today and today up to `now`, consistent with each user's
/// user-page fields (no rows for a user who never used Windsurf, no autocomplete rows after
/// `lastAutocompleteUsageTime`, no Cascade rows after `lastChatUsageTime`, no command bytes after
/// `lastCommandUsageTime`, none before `signupTime`; users with more `activeDays` are active on more days), plus
/// `departedUsers` members who have left the team but whose rows (and API keys) remain.
///
/// Volumes: an active day has 1–3 autocomplete hours (sometimes two languages in an hour), one PCW row, and on
/// about half of them 1–3 Cascade conversations of 1–3 rows each: about 0.46 USER_DATA, 0.24 PCW and 0.21 Cascade
/// rows per member and day on average (12, 16 and 16 bytes each), about 11 MB for 10,000 users over 91 days.
/// Rows are generated in two identical passes (count, then write in place), so that memory holds exactly the
/// rows, sorted by day, with no growth or sorting copies. Teams larger than `largeTeamThreshold` members keep
/// only `largeTeamDays` days of history (enough for 30-day windows) and are active on other days than their
/// last-usage days as often as `largeTeamActiveMembers` members would be, so that 100,000 demo users stay within
/// memory, a few seconds of generation and answers of tens of megabytes.
public struct WindsurfAnalyticsGenerator: Sendable {
    public var seed: UInt64
    /// Days of history before today.
    public var days: Int
    /// Members who left the team: rows under keys that no user page shows.
    public var departedUsers: Int
    /// Teams with more members than this keep `largeTeamDays` days of history only.
    public var largeTeamThreshold: Int
    public var largeTeamDays: Int
    /// A large team's activity on days other than its members' last-usage days is scaled down to what this many
    /// members would produce, so that its answers stay within tens of megabytes.
    public var largeTeamActiveMembers: Int
    /// A day this many days before today has no rows at all (a day the upstream lost), or nil.
    public var missingDayAgo: Int?

    public init(
        seed: UInt64 = 42,
        days: Int = 90,
        departedUsers: Int = 2,
        largeTeamThreshold: Int = 20_000,
        largeTeamDays: Int = 31,
        largeTeamActiveMembers: Int = 10_000,
        missingDayAgo: Int? = nil
    ) {
        self.seed = seed
        self.days = days
        self.departedUsers = departedUsers
        self.largeTeamThreshold = largeTeamThreshold
        self.largeTeamDays = largeTeamDays
        self.largeTeamActiveMembers = largeTeamActiveMembers
        self.missingDayAgo = missingDayAgo
    }

    /// What one member's rows are generated from: a user's page fields, or a departed user's.
    struct Profile {
        var member: SimulatedAnalyticsMember
        var lastAutocomplete: Double?
        var lastChat: Double?
        var lastCommand: Double?
        var signup: Double?
        var activeDays: Int
    }

    /// The rows of `team`'s users (and of `departedUsers` former users) as of `now`.
    public func analytics(for team: SimulatedWindsurfTeam, now: Double) -> SimulatedWindsurfAnalytics {
        let teamSeed = seed ^ Self.fnv1a(team.name)
        let today = Int((now / 86_400).rounded(.down))
        var profiles = team.users.map { user in
            Profile(
                member: SimulatedAnalyticsMember(
                    email: user.normalizedEmail,
                    apiKey: user.apiKey,
                    groups: user.groups,
                    departed: false,
                    versionCode: 0
                ),
                lastAutocomplete: user.lastAutocompleteUsageTime?.value,
                lastChat: user.lastChatUsageTime?.value,
                lastCommand: user.lastCommandUsageTime?.value,
                signup: user.signupTime?.value,
                activeDays: user.activeDays
            )
        }
        if !team.users.isEmpty {
            var generator = SeededGenerator(seed: teamSeed ^ 0xDE9A_27ED)
            let domain = team.users[0].normalizedEmail.split(separator: "@").last.map(String.init) ?? "example.com"
            for index in 0..<departedUsers {
                let ago = Double(3 + 14 * index) * 86_400
                let member = SimulatedAnalyticsMember(
                    email: "departed.user\(index).\(team.name)@\(domain)",
                    apiKey: "sk-ws-" + String(generator.next(), radix: 16) + String(generator.next(), radix: 16),
                    groups: WindsurfDatasetGenerator.groups(for: team.users.count + index, of: team.groups),
                    departed: true,
                    versionCode: 0
                )
                profiles.append(
                    Profile(
                        member: member,
                        lastAutocomplete: now - ago,
                        lastChat: now - ago - 3_600,
                        lastCommand: now - ago - 86_400,
                        signup: now - 400 * 86_400,
                        activeDays: 14
                    )
                )
            }
        }
        let large = profiles.count > largeTeamThreshold
        let history = large ? min(days, largeTeamDays) : days
        let activityScale = large ? min(1, Double(largeTeamActiveMembers) / Double(profiles.count)) : 1
        let firstDay = today - history
        var sink = AnalyticsRowSink(firstDay: firstDay, dayCount: history + 1, droppedDay: missingDayAgo.map { today - $0 })
        var members: [SimulatedAnalyticsMember] = []
        members.reserveCapacity(profiles.count)
        for pass in 0..<2 {
            if pass == 1 { sink.startWriting() }
            for (index, profile) in profiles.enumerated() {
                var generator = SeededGenerator(seed: teamSeed ^ (UInt64(index) &+ 1) &* 0x9E37_79B9_7F4A_7C15)
                let member = MemberActivity(
                    index: index,
                    profile: profile,
                    firstDay: firstDay,
                    today: today,
                    activityScale: activityScale,
                    using: &generator
                )
                member.generate(into: &sink, using: &generator)
                if pass == 0 { members.append(member.member) }
            }
        }
        return SimulatedWindsurfAnalytics(
            firstDay: firstDay,
            lastDay: today,
            members: members,
            autocomplete: sink.autocomplete,
            cascade: sink.cascade,
            codeWritten: sink.codeWritten,
            salt: teamSeed
        )
    }

    /// FNV-1a of a name: a hash that is the same in every process (Swift's `Hasher` is not).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return hash
    }
}
