/// The answer of `POST /api/v1/UserPageAnalytics`.
public struct WindsurfUserPage: Sendable, Equatable, Decodable, WindsurfAnswer {
    public var users: [WindsurfUser]
    public var billingCycleStart: Double?
    public var billingCycleEnd: Double?
    /// The API's `error` field; non-empty means the request failed even if the status was 200.
    public var error: String

    public init(users: [WindsurfUser], billingCycleStart: Double? = nil, billingCycleEnd: Double? = nil, error: String = "") {
        self.users = users
        self.billingCycleStart = billingCycleStart
        self.billingCycleEnd = billingCycleEnd
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case userTableStats, billingCycleStart, billingCycleEnd, error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        users = try container.decodeIfPresent([WindsurfUser].self, forKey: .userTableStats) ?? []
        billingCycleStart = try container.decodeTimestamp(forKey: .billingCycleStart)
        billingCycleEnd = try container.decodeTimestamp(forKey: .billingCycleEnd)
        error = try container.decodeString(forKey: .error)
    }
}
