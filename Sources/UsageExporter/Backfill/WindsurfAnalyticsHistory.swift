/// The past of one team's Windsurf analytics: for every UTC day of the range, the poll the live collector makes
/// on that day (each window of `analytics_windows` ends at the day's 00:00 UTC), through the collector's own
/// requests and conversion. Per-user series join the `api_key` rows to today's user page: a user who has left the
/// team has no per-user history (their rows still count in the team's families).
struct WindsurfAnalyticsHistory: BackfillHistory {
    let poller: WindsurfAnalyticsPoller

    var id: SourceID { poller.id }

    var cacheIdentity: String {
        let team = poller.team
        return [
            "windsurf_analytics", team.name, team.baseURL, (team.groups ?? []).joined(separator: ","),
            team.analyticsWindows.map(String.init).joined(separator: ","), "per_user=\(poller.builder.perUser)",
            "emails=\(poller.builder.emailLabeler.fingerprint)",
        ].joined(separator: "\n")
    }

    func prepare(_ context: BackfillContext) async throws -> any BackfillSchedule {
        let users = try await poller.apiKeyDirectories(context.pollContext(for: id), now: context.now)
        let first = RFC3339Timestamp.day(at: Double(context.options.start))
        let last = RFC3339Timestamp.day(at: Double(context.options.end))
        return Schedule(poller: poller, users: users, days: Array(first...last))
    }

    struct Schedule: BackfillSchedule {
        let poller: WindsurfAnalyticsPoller
        let users: [WindsurfAPIKeyDirectory]
        let days: [Int]
        var prepared: [Int: BackfillAnswer] { [:] }
        var facts: [String: String] { ["windows": poller.team.analyticsWindows.map { "\($0)d" }.joined(separator: ",")] }

        func dateText(_ day: Int) -> String { RFC3339Timestamp.date(ofDay: day) }

        func fetch(day: Int, context: BackfillContext) async throws -> BackfillAnswer? {
            let families = try await poller.families(context.pollContext(for: poller.id), at: Double(day) * 86_400, users: users)
            return BackfillAnswer(completeness: .complete, families: families)
        }

        func selection(at instant: Int, completeness: (Int) -> BackfillAnswer.Completeness?) -> Int? {
            let day = RFC3339Timestamp.day(at: Double(instant))
            return completeness(day) == nil ? nil : day
        }
    }
}
