/// Turns the answers of one team's poll into metric families, escaping every label block once.
public struct WindsurfSnapshotBuilder: Sendable, Equatable {
    public let team: String
    public let emailLabeler: EmailLabeler
    /// Export per-user series; false keeps only the team aggregates.
    public let perUser: Bool

    public init(team: String, emailLabeler: EmailLabeler = EmailLabeler(), perUser: Bool = true) {
        self.team = team
        self.emailLabeler = emailLabeler
        self.perUser = perUser
    }

    /// What a build skipped, for the collector's log.
    public struct Notes: Sendable, Equatable {
        public var usersWithoutEmail = 0
        public var duplicateUsers = 0
    }

    /// The families of `UserPageAnalytics` answers: one page for the whole team (`group` nil), or one per group.
    public func userFamilies(pages: [(group: String?, page: WindsurfUserPage)]) -> (families: [FamilySamples], notes: Notes) {
        var notes = Notes()
        let userCount = pages.reduce(0) { $0 + $1.page.users.count }
        var info = FixedSamplesBuilder(WindsurfFamilies.userInfo, reservingCapacity: perUser ? userCount * 160 : 0)
        var credits = FixedSamplesBuilder(WindsurfFamilies.userPromptCreditsUsed, reservingCapacity: perUser ? userCount * 96 : 0)
        var activeDates = FixedSamplesBuilder(WindsurfFamilies.userActiveDates, reservingCapacity: perUser ? userCount * 96 : 0)
        var disabled = FixedSamplesBuilder(WindsurfFamilies.userDisabled, reservingCapacity: perUser ? userCount * 96 : 0)
        var signup = FixedSamplesBuilder(WindsurfFamilies.userSignupTimestamp, reservingCapacity: perUser ? userCount * 110 : 0)
        var lastUpdate = FixedSamplesBuilder(WindsurfFamilies.userLastUpdateTimestamp, reservingCapacity: perUser ? userCount * 120 : 0)
        var lastUsage = FixedSamplesBuilder(WindsurfFamilies.userLastUsageTimestamp, reservingCapacity: perUser ? userCount * 3 * 130 : 0)
        var users = FixedSamplesBuilder(WindsurfFamilies.users)
        var activeUsers = WindowCountSeries()
        var creditsTotal = FixedSamplesBuilder(WindsurfFamilies.promptCreditsUsed)

        for (group, page) in pages {
            let scope: [(String, String)] = group.map { [("team", team), ("group", $0)] } ?? [("team", team)]
            var seen = Set<String>(minimumCapacity: page.users.count)
            var counts: [RoleAndStatus: Int] = [:]
            var newestUsage: [Double] = []
            newestUsage.reserveCapacity(page.users.count)
            var creditSum = 0.0

            for user in page.users {
                guard let email = emailLabeler.label(for: user.email) else {
                    notes.usersWithoutEmail += 1
                    continue
                }
                guard seen.insert(email).inserted else {
                    notes.duplicateUsers += 1
                    continue
                }
                counts[RoleAndStatus(role: user.role, teamStatus: user.teamStatus), default: 0] += 1
                creditSum += user.promptCreditsUsed
                if let newest = user.lastUsageTime { newestUsage.append(newest) }
                guard perUser else { continue }

                let labels = LabelSet(scope + [("email", email)])
                let infoLabels =
                    emailLabeler.isPseudonymizing
                    ? [("role", user.role), ("team_status", user.teamStatus)]
                    : [("name", user.name), ("role", user.role), ("team_status", user.teamStatus)]
                info.add(labels.adding(infoLabels), 1)
                credits.add(labels, user.promptCreditsUsed / 100)
                activeDates.add(labels, user.activeDays)
                disabled.add(labels, user.disabled ? 1 : 0)
                if let time = user.signupTime { signup.add(labels, time) }
                if let time = user.lastUpdateTime { lastUpdate.add(labels, time) }
                for (kind, time) in [
                    ("autocomplete", user.lastAutocompleteUsageTime), ("chat", user.lastChatUsageTime), ("command", user.lastCommandUsageTime),
                ] {
                    guard let time else { continue }
                    let kindLabels = labels.adding([("kind", kind)])
                    lastUsage.add(kindLabels, time)
                }
            }

            for (key, count) in counts.sorted(by: { ($0.key.role, $0.key.teamStatus) < ($1.key.role, $1.key.teamStatus) }) {
                users.add(LabelSet(scope + [("role", key.role), ("team_status", key.teamStatus)]), Double(count))
            }
            newestUsage.sort()
            for window in WindsurfFamilies.activeUserWindows {
                activeUsers.add(
                    name: WindsurfFamilies.activeUsers.name,
                    labels: LabelSet(scope + [("window", window.label)]),
                    window: window.seconds,
                    sortedTimestamps: newestUsage
                )
            }
            creditsTotal.add(LabelSet(scope), creditSum / 100)
        }

        var cycleStart = FixedSamplesBuilder(WindsurfFamilies.billingCycleStart)
        var cycleEnd = FixedSamplesBuilder(WindsurfFamilies.billingCycleEnd)
        let teamLabels = LabelSet([("team", team)])
        if let start = pages.lazy.compactMap(\.page.billingCycleStart).first { cycleStart.add(teamLabels, start) }
        if let end = pages.lazy.compactMap(\.page.billingCycleEnd).first { cycleEnd.add(teamLabels, end) }

        let lastUsageTimestamps = lastUsage.build()
        var families = [
            info.build(), credits.build(), activeDates.build(), disabled.build(), signup.build(), lastUpdate.build(),
            lastUsageTimestamps, users.build(), creditsTotal.build(), cycleStart.build(), cycleEnd.build(),
        ].compactMap { $0 }
        // The ages share the label text of the timestamps they are computed from.
        if let lastUsageTimestamps, case .fixed(let lines) = lastUsageTimestamps.body {
            let ages = AgeSeries(name: WindsurfFamilies.userLastUsageAge.name, ageOf: lines)
            families.append(FamilySamples(family: WindsurfFamilies.userLastUsageAge, body: .ageSince(ages)))
        }
        if !activeUsers.isEmpty {
            families.append(FamilySamples(family: WindsurfFamilies.activeUsers, body: .countWithin(activeUsers)))
        }
        return (families, notes)
    }

    /// The families of a `GetTeamCreditBalance` answer and, when given, of `GetUsageConfig` (the cap is
    /// absent when none is set).
    public func creditBalanceFamilies(_ balance: WindsurfCreditBalance, usageConfig: WindsurfUsageConfig? = nil) -> [FamilySamples] {
        let labels = LabelSet([("team", team)])
        var values = [
            (WindsurfFamilies.teamSeats, balance.seats),
            (WindsurfFamilies.teamPromptCreditsPerSeat, balance.promptCreditsPerSeat),
            (WindsurfFamilies.teamAddOnCreditsAvailable, balance.addOnCreditsAvailable),
            (WindsurfFamilies.teamAddOnCreditsUsed, balance.addOnCreditsUsed),
        ]
        if let cap = usageConfig?.addOnCreditCap { values.append((WindsurfFamilies.teamAddOnCreditCap, cap)) }
        return values.compactMap { family, value in
            var builder = FixedSamplesBuilder(family)
            builder.add(labels, value)
            return builder.build()
        }
    }

    private struct RoleAndStatus: Hashable {
        let role: String
        let teamStatus: String
    }
}
