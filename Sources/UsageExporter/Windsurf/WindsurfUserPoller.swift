/// Polls `UserPageAnalytics` for one team: once for the whole team, or once per configured group.
public struct WindsurfUserPoller: SourcePoller {
    public let team: WindsurfTeamConfiguration
    let builder: WindsurfSnapshotBuilder

    public init(team: WindsurfTeamConfiguration, builder: WindsurfSnapshotBuilder) {
        self.team = team
        self.builder = builder
    }

    public var id: SourceID { SourceID(.windsurf, team.name) }
    public var interval: Duration { team.interval }

    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return team == other.team && builder == other.builder
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        let end = context.now()
        let start = end - team.activeDaysWindow.seconds
        var pages: [(group: String?, page: WindsurfUserPage)] = []
        for group in team.groups.map({ $0.map(Optional.some) }) ?? [nil] {
            let what = group.map { "UserPageAnalytics for group \($0)" } ?? "UserPageAnalytics"
            let page = try await context.withRetries(what) {
                try await api.userPage(group: group, start: start, end: end, record: context.recordRequest)
            }
            pages.append((group, page))
        }
        let (families, notes) = builder.userFamilies(pages: pages)
        if notes.usersWithoutEmail > 0 {
            context.logger.warning("skipped users without an email", metadata: ["count": "\(notes.usersWithoutEmail)"])
        }
        if notes.duplicateUsers > 0 {
            context.logger.warning("skipped users listed twice with the same email", metadata: ["count": "\(notes.duplicateUsers)"])
        }
        return families
    }
}

/// Polls `GetTeamCreditBalance` for one team.
public struct WindsurfCreditBalancePoller: SourcePoller {
    public let team: WindsurfTeamConfiguration
    let builder: WindsurfSnapshotBuilder

    public init(team: WindsurfTeamConfiguration, builder: WindsurfSnapshotBuilder) {
        self.team = team
        self.builder = builder
    }

    public var id: SourceID { SourceID(.windsurfCreditBalance, team.name) }
    public var interval: Duration { team.interval }

    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return team == other.team && builder == other.builder
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        let balance = try await context.withRetries("GetTeamCreditBalance") {
            try await api.creditBalance(record: context.recordRequest)
        }
        return builder.creditBalanceFamilies(balance)
    }
}
