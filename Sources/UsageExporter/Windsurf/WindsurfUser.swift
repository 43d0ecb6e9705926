/// One row of the Windsurf Teams page, as decoded from `userTableStats`. The user's `apiKey` is not a field:
/// it is skipped while decoding and never held.
public struct WindsurfUser: Sendable, Equatable {
    public var name: String
    public var email: String
    public var role: String
    public var teamStatus: String
    /// Hundredths of a prompt credit used this billing cycle, as the API gives it.
    public var promptCreditsUsed: Double
    /// Distinct days with activity in the requested window.
    public var activeDays: Double
    /// `disableCodeium`.
    public var disabled: Bool
    public var signupTime: Double?
    public var lastUpdateTime: Double?
    public var lastAutocompleteUsageTime: Double?
    public var lastChatUsageTime: Double?
    public var lastCommandUsageTime: Double?

    public init(
        name: String = "",
        email: String,
        role: String = "",
        teamStatus: String = "",
        promptCreditsUsed: Double = 0,
        activeDays: Double = 0,
        disabled: Bool = false,
        signupTime: Double? = nil,
        lastUpdateTime: Double? = nil,
        lastAutocompleteUsageTime: Double? = nil,
        lastChatUsageTime: Double? = nil,
        lastCommandUsageTime: Double? = nil
    ) {
        self.name = name
        self.email = email
        self.role = role
        self.teamStatus = teamStatus
        self.promptCreditsUsed = promptCreditsUsed
        self.activeDays = activeDays
        self.disabled = disabled
        self.signupTime = signupTime
        self.lastUpdateTime = lastUpdateTime
        self.lastAutocompleteUsageTime = lastAutocompleteUsageTime
        self.lastChatUsageTime = lastChatUsageTime
        self.lastCommandUsageTime = lastCommandUsageTime
    }

    /// The zero value of the team status enum, which proto3 JSON leaves out.
    public static let unspecifiedTeamStatus = "USER_TEAM_STATUS_UNSPECIFIED"

    /// The newest usage of any kind, or nil when the user never used any.
    public var lastUsageTime: Double? {
        [lastAutocompleteUsageTime, lastChatUsageTime, lastCommandUsageTime].compactMap { $0 }.max()
    }
}

extension WindsurfUser: Decodable {
    enum CodingKeys: String, CodingKey {
        case name, email, role, teamStatus, promptCreditsUsed, activeDays, disableCodeium
        case signupTime, lastUpdateTime, lastAutocompleteUsageTime, lastChatUsageTime, lastCommandUsageTime
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeString(forKey: .name)
        email = try container.decodeString(forKey: .email)
        role = try container.decodeString(forKey: .role)
        // proto3 JSON omits an enum's zero value: an absent status is USER_TEAM_STATUS_UNSPECIFIED, never an empty label.
        teamStatus = try container.decodeString(forKey: .teamStatus)
        if teamStatus.isEmpty { teamStatus = Self.unspecifiedTeamStatus }
        promptCreditsUsed = try container.decodeFlexibleNumber(forKey: .promptCreditsUsed) ?? 0
        activeDays = try container.decodeFlexibleNumber(forKey: .activeDays) ?? 0
        disabled = try container.decodeFlexibleBool(forKey: .disableCodeium)
        signupTime = try container.decodeTimestamp(forKey: .signupTime)
        lastUpdateTime = try container.decodeTimestamp(forKey: .lastUpdateTime)
        lastAutocompleteUsageTime = try container.decodeTimestamp(forKey: .lastAutocompleteUsageTime)
        lastChatUsageTime = try container.decodeTimestamp(forKey: .lastChatUsageTime)
        lastCommandUsageTime = try container.decodeTimestamp(forKey: .lastCommandUsageTime)
    }
}
