/// Someone the analytics rows belong to: a user of the team's user page (same order, same `apiKey`), or a
/// user who has left the team since (`departed`), whose rows remain under a key no user page shows.
public struct SimulatedAnalyticsMember: Sendable, Hashable {
    /// Trimmed and lower-cased, as CascadeAnalytics' `emails` filter matches it.
    public let email: String
    /// The `api_key` of the member's USER_DATA rows (the user page's `apiKey`).
    public let apiKey: String
    /// The groups whose answers count the member.
    public let groups: [String]
    /// True for a user who is no longer on the user page.
    public let departed: Bool
    let versionCode: UInt8

    init(email: String, apiKey: String, groups: [String], departed: Bool, versionCode: UInt8) {
        self.email = email
        self.apiKey = apiKey
        self.groups = groups
        self.departed = departed
        self.versionCode = versionCode
    }

    /// The `version` of the member's USER_DATA and PCW_DATA rows.
    public var version: String { SimulatedAnalyticsVocabulary.versions[Int(versionCode)] }

    /// Whether a query for `group` (nil: the whole team) counts the member.
    public func isCounted(inGroup group: String?) -> Bool {
        group.map(groups.contains) ?? true
    }
}
