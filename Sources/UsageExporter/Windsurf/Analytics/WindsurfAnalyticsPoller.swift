/// Polls one team's analytics (collector `windsurf_analytics`) every `analytics_interval`: per scope (the
/// whole team, or each configured group) and window, one `CascadeAnalytics` request and one custom
/// `Analytics` request; with per-user series, first the scope's user page, whose `apiKey`s join the
/// custom API's `api_key` rows to users.
public struct WindsurfAnalyticsPoller: SourcePoller {
    public let team: WindsurfTeamConfiguration
    let builder: WindsurfAnalyticsSnapshotBuilder

    public init(team: WindsurfTeamConfiguration, builder: WindsurfAnalyticsSnapshotBuilder) {
        self.team = team
        self.builder = builder
    }

    public var id: SourceID { SourceID(.windsurfAnalytics, team.name) }
    public var interval: Duration { team.analyticsInterval }

    /// Compares only the keys this collector reads, so a reload that changes another collector's keeps this loop.
    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return builder == other.builder && team.hasSameConnection(as: other.team) && team.groups == other.team.groups
            && team.analyticsWindows == other.team.analyticsWindows && team.analyticsInterval == other.team.analyticsInterval
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let now = context.now()
        let users = try await apiKeyDirectories(context, now: now)
        return try await families(context, at: now, users: users)
    }

    /// The `apiKey` → `email` directory of every scope (the team, or each group), from the user page; empty
    /// directories without per-user series, which then need no user page at all.
    public func apiKeyDirectories(_ context: PollContext, now: Double) async throws -> [WindsurfAPIKeyDirectory] {
        guard builder.perUser else { return team.scopes.map { _ in .empty } }
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        var directories: [WindsurfAPIKeyDirectory] = []
        for group in team.scopes {
            let scope = group.map { " for group \($0)" } ?? ""
            let page = try await context.withRetries("UserPageAnalytics\(scope) (api_key join)") {
                try await api.apiKeys(group: group, start: now - team.activeDaysWindow.seconds, end: now, record: context.recordRequest)
            }
            directories.append(WindsurfAPIKeyDirectory(page, labeler: builder.emailLabeler))
        }
        return directories
    }

    /// The families of the windows that end at 00:00 UTC of `now`'s day, per scope; `users` holds one directory
    /// per scope, in the order of `team.scopes`. The live poll and the history backfill both build their families here.
    public func families(_ context: PollContext, at now: Double, users: [WindsurfAPIKeyDirectory]) async throws -> [FamilySamples] {
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        let windows = team.analyticsWindows.map { WindsurfAnalyticsWindow(days: $0, now: now) }
        // Each answer is reduced to its families as it arrives: the poll holds one answer's rows at a time.
        var families = builder.accumulator()
        for (index, group) in team.scopes.enumerated() {
            let scope = group.map { " for group \($0)" } ?? ""
            let directory = index < users.count ? users[index] : .empty
            for window in windows {
                let cascade = try await context.withRetries("CascadeAnalytics\(scope), window \(window.label)") {
                    try await api.cascadeAnalytics(group: group, window: window, record: context.recordRequest)
                }
                let custom = try await context.withRetries("Analytics\(scope), window \(window.label)") {
                    try await api.customAnalytics(group: group, window: window, record: context.recordRequest)
                }
                try families.add(.init(group: group, window: window, cascade: cascade, custom: custom, users: directory))
            }
        }
        let notes = families.notes
        if notes.unknownKeys > 0 {
            context.logger.debug("skipped api_key rows of keys no user of the user page holds", metadata: ["count": "\(notes.unknownKeys)"])
        }
        if notes.rowsOutsideWindow > 0 {
            context.logger.debug("ignored Cascade rows dated outside their window", metadata: ["count": "\(notes.rowsOutsideWindow)"])
        }
        return families.finish()
    }
}
