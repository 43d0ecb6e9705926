/// Polls one Windsurf endpoint for one team: `UserPageAnalytics` (collector `windsurf`), once for the
/// whole team or once per configured group, or `GetTeamCreditBalance` and `GetUsageConfig` (collector
/// `windsurf_credit_balance`).
public struct WindsurfPoller: SourcePoller {
    /// Which endpoint.
    public enum Report: Sendable, Equatable {
        case userPage
        case creditBalance
    }

    public let team: WindsurfTeamConfiguration
    public let report: Report
    let builder: WindsurfSnapshotBuilder

    public init(team: WindsurfTeamConfiguration, report: Report, builder: WindsurfSnapshotBuilder) {
        self.team = team
        self.report = report
        self.builder = builder
    }

    public var id: SourceID { SourceID(report == .userPage ? .windsurf : .windsurfCreditBalance, team.name) }
    public var interval: Duration { team.interval }

    /// Compares only the keys this collector reads, so a reload that changes another collector's keeps this loop.
    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self, report == other.report, builder == other.builder,
            team.hasSameConnection(as: other.team), team.interval == other.team.interval
        else { return false }
        switch report {
        case .userPage: return team.groups == other.team.groups && team.activeDaysWindow == other.team.activeDaysWindow
        case .creditBalance: return true
        }
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        switch report {
        case .creditBalance:
            let balance = try await context.withRetries("GetTeamCreditBalance") {
                try await api.creditBalance(record: context.recordRequest)
            }
            // The cap is an extra: a final refusal of GetUsageConfig costs only the cap, not the balance.
            var usage: WindsurfUsageConfig?
            do {
                usage = try await context.withRetries("GetUsageConfig") {
                    try await api.usageConfig(record: context.recordRequest)
                }
            } catch let error as CollectorError where !error.isRetryable {
                context.logger.warning(
                    "GetUsageConfig failed; exporting the credit balance without the add-on credit cap",
                    metadata: ["error": "\(error)"]
                )
            }
            return builder.creditBalanceFamilies(balance, usageConfig: usage)
        case .userPage:
            let end = context.now()
            let start = end - team.activeDaysWindow.seconds
            var pages: [(group: String?, page: WindsurfUserPage)] = []
            for group in team.scopes {
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
}
