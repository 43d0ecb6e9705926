/// Generates a team's analytics rows (`SimulatedWindsurfAnalytics`) from its users, deterministically from a
/// seed: daily activity over the `days` UTC days before today and today up to `now`, consistent with each user's
/// user-page fields (no rows for a user who never used Windsurf, no autocomplete rows after
/// `lastAutocompleteUsageTime`, no Cascade rows after `lastChatUsageTime`, no command bytes after
/// `lastCommandUsageTime`, none before `signupTime`; users with more `activeDays` are active on more days), plus
/// `departedUsers` members who have left the team but whose rows (and API keys) remain.
///
/// Volumes: an active day has 1–3 autocomplete hours (sometimes two languages in an hour), one PCW row, and on
/// about half of them 1–3 Cascade conversations of 1–3 rows each. Teams larger than `largeTeamThreshold` members
/// keep only `largeTeamDays` days of history, so that 100,000 demo users stay within memory and a few seconds.
public struct WindsurfAnalyticsGenerator: Sendable {
    public var seed: UInt64
    /// Days of history before today.
    public var days: Int
    /// Members who left the team: rows under keys that no user page shows.
    public var departedUsers: Int
    /// Teams with more members than this keep `largeTeamDays` days of history only.
    public var largeTeamThreshold: Int
    public var largeTeamDays: Int

    public init(seed: UInt64 = 42, days: Int = 90, departedUsers: Int = 2, largeTeamThreshold: Int = 20_000, largeTeamDays: Int = 31) {
        self.seed = seed
        self.days = days
        self.departedUsers = departedUsers
        self.largeTeamThreshold = largeTeamThreshold
        self.largeTeamDays = largeTeamDays
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
                    email: user.normalizedEmail, apiKey: user.apiKey, groups: user.groups, departed: false, versionCode: 0),
                lastAutocomplete: user.lastAutocompleteUsageTime?.value, lastChat: user.lastChatUsageTime?.value,
                lastCommand: user.lastCommandUsageTime?.value, signup: user.signupTime?.value, activeDays: user.activeDays)
        }
        if !team.users.isEmpty {
            var generator = SeededGenerator(seed: teamSeed ^ 0xDE9A_27ED)
            let domain = team.users[0].normalizedEmail.split(separator: "@").last.map(String.init) ?? "example.com"
            for index in 0..<departedUsers {
                let ago = Double(3 + 14 * index) * 86_400
                let member = SimulatedAnalyticsMember(
                    email: "departed.user\(index).\(team.name)@\(domain)",
                    apiKey: "sk-ws-" + String(generator.next(), radix: 16) + String(generator.next(), radix: 16),
                    groups: WindsurfDatasetGenerator.groups(for: team.users.count + index, of: team.groups), departed: true, versionCode: 0)
                profiles.append(
                    Profile(
                        member: member, lastAutocomplete: now - ago, lastChat: now - ago - 3_600, lastCommand: now - ago - 86_400,
                        signup: now - 400 * 86_400, activeDays: 14))
            }
        }
        let history = profiles.count > largeTeamThreshold ? min(days, largeTeamDays) : days
        let firstDay = today - history
        var sink = Sink()
        var members: [SimulatedAnalyticsMember] = []
        members.reserveCapacity(profiles.count)
        for (index, profile) in profiles.enumerated() {
            var generator = SeededGenerator(seed: teamSeed ^ (UInt64(index) &+ 1) &* 0x9E37_79B9_7F4A_7C15)
            let member = MemberActivity(index: index, profile: profile, firstDay: firstDay, today: today, using: &generator)
            member.generate(into: &sink, using: &generator)
            members.append(member.member)
        }
        let dayCount = today - firstDay + 1
        return SimulatedWindsurfAnalytics(
            firstDay: firstDay, lastDay: today, members: members,
            autocomplete: Self.sortedByDay(sink.autocomplete, firstDay: firstDay, dayCount: dayCount) { Int($0.unixDay) },
            cascade: Self.sortedByDay(sink.cascade, firstDay: firstDay, dayCount: dayCount) { Int($0.unixDay) },
            codeWritten: Self.sortedByDay(sink.codeWritten, firstDay: firstDay, dayCount: dayCount) { Int($0.unixDay) },
            salt: teamSeed)
    }

    /// The rows being generated, member by member.
    struct Sink {
        var autocomplete: [SimulatedAutocompleteRow] = []
        var cascade: [SimulatedCascadeRow] = []
        var codeWritten: [SimulatedCodeWrittenRow] = []
    }

    /// A stable counting sort by day (rows of one day keep their member order).
    static func sortedByDay<Row>(_ rows: [Row], firstDay: Int, dayCount: Int, day: (Row) -> Int) -> [Row] {
        guard !rows.isEmpty else { return [] }
        var offsets = [Int](repeating: 0, count: dayCount + 1)
        for row in rows { offsets[day(row) - firstDay + 1] += 1 }
        for index in 1..<offsets.count { offsets[index] += offsets[index - 1] }
        return [Row](unsafeUninitializedCapacity: rows.count) { buffer, count in
            for row in rows {
                let slot = day(row) - firstDay
                buffer.initializeElement(at: offsets[slot], to: row)
                offsets[slot] += 1
            }
            count = rows.count
        }
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
