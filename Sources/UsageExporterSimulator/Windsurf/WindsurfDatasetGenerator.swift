import Foundation

/// Generates realistic Windsurf teams: a spread of activity from today to never, disabled, pending, rejected
/// and status-less users, and names that test every escaping rule (quotes, backslashes, newlines, accents, CJK, emoji).
public struct WindsurfDatasetGenerator: Sendable {
    /// The email domain, shared with the simulated Workspace customer so the two join on `email`.
    public var domain: String
    public var seed: UInt64

    public init(domain: String = "example.com", seed: UInt64 = 42) {
        self.domain = domain
        self.seed = seed
    }

    /// Display names that exercise escaping, given to the first users of every team, with an ASCII slug for the address.
    public static let specialNames: [(name: String, slug: String)] = [
        ("Zoë \"Zee\" O'Brien", "zoe.obrien"),
        ("Back\\slash Bob", "bob.backslash"),
        ("Line\nBreak Lee", "lee.linebreak"),
        ("José Núñez", "jose.nunez"),
        ("王伟", "wang.wei"),
        ("佐藤 花子", "hanako.sato"),
        ("Sam 🚀 Rivera", "sam.rivera"),
        ("Ünal Çelik", "unal.celik"),
    ]

    static let firstNames = [
        "Alice", "Bob", "Carol", "Dmitri", "Emeka", "Fatima", "Grace", "Hiro", "Ingrid", "Jamal", "Kavya", "Liam",
        "Mei", "Nora", "Omar", "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zara",
    ]
    static let lastNames = [
        "Martin", "Okafor", "Schmidt", "Tanaka", "Haddad", "Kowalski", "Nguyen", "Silva", "Andersson", "Patel", "Rossi",
        "Dubois", "Kim", "Moreau", "Ivanova", "Garcia", "Müller", "Chen", "Larsen", "Mensah",
    ]

    /// The demo's two teams: `acme` with the groups `platform` and `design` and an add-on credit cap, billed in
    /// credits, and `globex` without groups or cap, billed in ACUs, sharing `users` between them (60% and 40%).
    /// acme's consumption counts flex credits past 50 prompt credits a month per member, so that its heavier
    /// users show some (the generated members use up to a few hundred credits a month).
    ///
    /// With `history` (the `--demo` data, for `usage-exporter backfill`), the analytics go back 180 days, the day
    /// 20 days ago has no rows (a day the upstream lost), and acme's ninth user joined 10 days ago.
    public func demoTeams(users: Int, now: Double, history: Bool = false) -> [SimulatedWindsurfTeam] {
        let acmeCount = max(1, (users * 6 + 5) / 10)
        let globexCount = max(1, users - acmeCount)
        let analytics = history ? AnalyticsHistory.demo : nil
        var teams = [
            team(
                name: "acme",
                serviceKey: "demo-acme-service-key",
                groups: ["platform", "design"],
                users: acmeCount,
                now: now,
                seedOffset: 1,
                history: analytics
            ),
            team(name: "globex", serviceKey: "demo-globex-service-key", groups: [], users: globexCount, now: now, seedOffset: 2, history: analytics),
        ]
        teams[0].addOnCreditCap = 1_500
        teams[0].billingStrategy = .credits
        teams[0].monthlyPromptCredits = 50
        teams[1].billingStrategy = .acu
        return teams
    }

    /// How far back a generated team's analytics go, and what happened in that past.
    public struct AnalyticsHistory: Sendable {
        /// Days of rows before today.
        public var days: Int
        /// A day this many days ago has no rows.
        public var missingDayAgo: Int?
        /// The user of this index signed up `joinedDaysAgo` days ago (and has used Windsurf every few days since).
        public var joinerIndex: Int?
        public var joinedDaysAgo: Int

        public static let demo = AnalyticsHistory(days: 180, missingDayAgo: 20, joinerIndex: 8, joinedDaysAgo: 10)
    }

    /// One team of `count` generated users, with analytics rows generated from them (`WindsurfAnalyticsGenerator`).
    public func team(
        name: String,
        serviceKey: String,
        groups: [String],
        users count: Int,
        now: Double,
        seedOffset: UInt64 = 0,
        history: AnalyticsHistory? = nil
    ) -> SimulatedWindsurfTeam {
        var generator = SeededGenerator(seed: seed &+ seedOffset &* 1_000_003)
        var users = (0..<count).map { index in user(index: index, team: name, groups: groups, now: now, using: &generator) }
        if let history, let index = history.joinerIndex, index < users.count {
            // A new member: signed up, approved and active since.
            let day = 86_400.0
            users[index].signupTime = SimulatedTimestamp(wholeSeconds: Int64(now - Double(history.joinedDaysAgo) * day))
            users[index].lastAutocompleteUsageTime = SimulatedTimestamp(wholeSeconds: Int64(now - 0.2 * day), fraction: "5")
            users[index].lastChatUsageTime = SimulatedTimestamp(wholeSeconds: Int64(now - 0.3 * day), fraction: "25")
            users[index].activeDays = min(history.joinedDaysAgo, 7)
            users[index].teamStatus = "USER_TEAM_STATUS_APPROVED"
            users[index].disabled = false
        }
        let (cycleStart, cycleEnd) = Self.billingCycle(containing: now)
        var team = SimulatedWindsurfTeam(
            name: name,
            serviceKey: serviceKey,
            groups: groups,
            users: users,
            billingCycleStart: SimulatedTimestamp(wholeSeconds: Int64(cycleStart)),
            billingCycleEnd: SimulatedTimestamp(wholeSeconds: Int64(cycleEnd)),
            seats: count + max(2, count / 20),
            promptCreditsPerSeat: 500,
            addOnCreditsAvailable: 10_000,
            addOnCreditsUsed: Int.random(in: 0...4_000, using: &generator)
        )
        var analytics = WindsurfAnalyticsGenerator(seed: seed &+ seedOffset &* 1_000_003)
        if let history {
            analytics.days = history.days
            analytics.missingDayAgo = history.missingDayAgo
        }
        team.analytics = analytics.analytics(for: team, now: now)
        return team
    }

    /// The calendar month (UTC) around `now`, as a billing cycle.
    static func billingCycle(containing now: Double) -> (Double, Double) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = Date(timeIntervalSince1970: now)
        let start = calendar.date(from: calendar.dateComponents([.year, .month], from: date))!
        let end = calendar.date(byAdding: .month, value: 1, to: start)!
        return (start.timeIntervalSince1970, end.timeIntervalSince1970)
    }

    func user(index: Int, team: String, groups: [String], now: Double, using generator: inout SeededGenerator) -> SimulatedWindsurfUser {
        let day = 86_400.0
        let name: String
        let slug: String
        if index < Self.specialNames.count {
            (name, slug) = Self.specialNames[index]
        } else {
            let first = Self.firstNames.randomElement(using: &generator)!
            let last = Self.lastNames.randomElement(using: &generator)!
            name = "\(first) \(last)"
            slug = "\(first).\(last)".lowercased().replacingOccurrences(of: "ü", with: "u")
        }
        var email = "\(slug).\(team).\(index)@\(domain)"
        if index % 17 == 3 { email = email.capitalized }
        if index % 23 == 5 { email = "  \(email) " }

        func stamp(_ seconds: Double) -> SimulatedTimestamp {
            SimulatedTimestamp(seconds: seconds, digits: Int.random(in: 0...9, using: &generator), using: &generator)
        }

        // Recency of the newest usage: never, long ago, this month, this week, today.
        let roll = Double.random(in: 0..<1, using: &generator)
        let newestAge: Double? =
            switch roll {
            case ..<0.08: nil
            case ..<0.22: Double.random(in: 31...120, using: &generator) * day
            case ..<0.42: Double.random(in: 8...30, using: &generator) * day
            case ..<0.67: Double.random(in: 1...7, using: &generator) * day
            default: Double.random(in: 0.01...0.95, using: &generator) * day
            }
        var user = SimulatedWindsurfUser(
            name: name,
            email: email,
            apiKey: "sk-ws-" + String(generator.next(), radix: 16) + String(generator.next(), radix: 16),
            role: generator.chance(0.1) || index == 0 ? "admin" : "member",
            teamStatus: Self.teamStatus(index: index, pending: generator.chance(0.06)),
            groups: Self.groups(for: index, of: groups),
            disabled: generator.chance(0.05) || index % 13 == 11,
            numbersAsStrings: generator.chance(0.3)
        )

        if let newestAge {
            let newest = now - newestAge
            user.lastAutocompleteUsageTime = stamp(newest)
            if generator.chance(0.7) { user.lastChatUsageTime = stamp(newest - Double.random(in: 0...10, using: &generator) * day) }
            if generator.chance(0.4) { user.lastCommandUsageTime = stamp(newest - Double.random(in: 0...20, using: &generator) * day) }
            if generator.chance(0.1) {
                // Some users chat but never autocomplete.
                user.lastAutocompleteUsageTime = nil
                user.lastChatUsageTime = stamp(newest)
            }
            let activeCap = max(1, Int(30 - newestAge / day))
            user.activeDays = newestAge > 30 * day ? 0 : Int.random(in: 1...activeCap, using: &generator)
            let heavy = generator.chance(0.1)
            user.promptCreditsUsed = heavy ? Int.random(in: 40_000...150_000, using: &generator) : Int.random(in: 0...30_000, using: &generator)
            user.signupTime = stamp(now - newestAge - Double.random(in: 1...400, using: &generator) * day)
        } else {
            // Never used: signed up recently or weeks ago, so "seat never used" alerts have both cases.
            user.signupTime = stamp(now - Double.random(in: 1...60, using: &generator) * day)
        }
        user.lastUpdateTime = stamp(now - Double.random(in: 0...3, using: &generator) * 3_600)
        return user
    }

    /// Every 13th user (from the 7th) has no `teamStatus` at all, as proto3 JSON omits the enum's zero value
    /// (`USER_TEAM_STATUS_UNSPECIFIED`); every 13th from the 10th is a rejected invitation; some are pending;
    /// the rest are approved. (Every 13th from the 12th is disabled: see `user`.)
    static func teamStatus(index: Int, pending: Bool) -> String {
        switch index % 13 {
        case 6: ""
        case 9: "USER_TEAM_STATUS_REJECTED"
        default: pending ? "USER_TEAM_STATUS_PENDING" : "USER_TEAM_STATUS_APPROVED"
        }
    }

    /// Users go to one group in turn; every tenth is in two.
    static func groups(for index: Int, of groups: [String]) -> [String] {
        guard !groups.isEmpty else { return [] }
        let primary = groups[index % groups.count]
        if index % 10 == 9, groups.count > 1 {
            return [primary, groups[(index + 1) % groups.count]]
        }
        return [primary]
    }
}
