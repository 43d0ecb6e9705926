/// A team the Windsurf simulator serves, found by its service key.
public struct SimulatedWindsurfTeam: Sendable {
    public var name: String
    public var serviceKey: String
    /// The groups `group_name` may name; empty when the team has none.
    public var groups: [String]
    public var users: [SimulatedWindsurfUser]
    public var billingCycleStart: SimulatedTimestamp
    public var billingCycleEnd: SimulatedTimestamp
    public var seats: Int
    public var promptCreditsPerSeat: Int
    public var addOnCreditsAvailable: Int
    public var addOnCreditsUsed: Int
    /// The per-user add-on credit cap `GetUsageConfig` answers; nil: none (`{}`).
    public var addOnCreditCap: Int?
    /// How `GetUsageConfig` spells the cap's field.
    public var addOnCreditCapSpelling: AddOnCreditCapSpelling = .camelCase
    /// The rows `CascadeAnalytics` and `Analytics` answer from (`.empty` unless generated).
    public var analytics: SimulatedWindsurfAnalytics
    /// Endpoints the team's service key lacks the permission for: answered 403 `{"error":"Insufficient permissions"}`.
    public var deniedEndpoints: Set<WindsurfEndpoint> = []
    /// How the consumption API says the team is billed, and which fields its rows fill.
    public var billingStrategy: SimulatedBillingStrategy = .credits
    /// Prompt credits each member may use per calendar month before the consumption rows count flex credits.
    public var monthlyPromptCredits = 500

    public init(
        name: String,
        serviceKey: String,
        groups: [String] = [],
        users: [SimulatedWindsurfUser],
        billingCycleStart: SimulatedTimestamp,
        billingCycleEnd: SimulatedTimestamp,
        seats: Int,
        promptCreditsPerSeat: Int = 500,
        addOnCreditsAvailable: Int = 0,
        addOnCreditsUsed: Int = 0,
        addOnCreditCap: Int? = nil,
        analytics: SimulatedWindsurfAnalytics = .empty
    ) {
        self.name = name
        self.serviceKey = serviceKey
        self.groups = groups
        self.users = users
        self.billingCycleStart = billingCycleStart
        self.billingCycleEnd = billingCycleEnd
        self.seats = seats
        self.promptCreditsPerSeat = promptCreditsPerSeat
        self.addOnCreditsAvailable = addOnCreditsAvailable
        self.addOnCreditsUsed = addOnCreditsUsed
        self.addOnCreditCap = addOnCreditCap
        self.analytics = analytics
    }

    /// The `UserPageAnalytics` answer for `group` (nil: the whole team), with `activeDays` capped to the
    /// window's days when one is given.
    public func userPageJSON(group: String?, windowDays: Int? = nil) -> String {
        let users = users(inGroup: group)
        var text = "{\"userTableStats\":["
        text.reserveCapacity(users.count * 700)
        for (index, user) in users.enumerated() {
            if index > 0 { text += "," }
            text += user.json(activeDaysCap: windowDays)
        }
        text += "],\"billingCycleStart\":\(JSONText.string(billingCycleStart.text))"
        text += ",\"billingCycleEnd\":\(JSONText.string(billingCycleEnd.text))}"
        return text
    }

    /// The users a query for `group` returns: all of them when `group` is nil.
    public func users(inGroup group: String?) -> [SimulatedWindsurfUser] {
        guard let group else { return users }
        return users.filter { $0.groups.contains(group) }
    }
}
