import Foundation

/// A user the Windsurf simulator serves, with the exact form its fields are written in.
public struct SimulatedWindsurfUser: Sendable {
    public var name: String
    /// The address as the API writes it: sometimes with capitals or surrounding spaces.
    public var email: String
    /// A secret the exporter must never keep or show.
    public var apiKey: String
    public var role: String
    /// Empty means the field is omitted, as proto3 JSON omits the enum's zero value `USER_TEAM_STATUS_UNSPECIFIED`.
    public var teamStatus: String
    /// The groups the user belongs to; empty for a team without groups.
    public var groups: [String]
    public var activeDays: Int
    /// Hundredths of a credit.
    public var promptCreditsUsed: Int
    public var disabled: Bool
    public var signupTime: SimulatedTimestamp?
    public var lastUpdateTime: SimulatedTimestamp?
    public var lastAutocompleteUsageTime: SimulatedTimestamp?
    public var lastChatUsageTime: SimulatedTimestamp?
    public var lastCommandUsageTime: SimulatedTimestamp?
    /// Write int64 fields as strings, as proto3 JSON does.
    public var numbersAsStrings: Bool

    public init(
        name: String,
        email: String,
        apiKey: String = "",
        role: String = "member",
        teamStatus: String = "USER_TEAM_STATUS_APPROVED",
        groups: [String] = [],
        activeDays: Int = 0,
        promptCreditsUsed: Int = 0,
        disabled: Bool = false,
        signupTime: SimulatedTimestamp? = nil,
        lastUpdateTime: SimulatedTimestamp? = nil,
        lastAutocompleteUsageTime: SimulatedTimestamp? = nil,
        lastChatUsageTime: SimulatedTimestamp? = nil,
        lastCommandUsageTime: SimulatedTimestamp? = nil,
        numbersAsStrings: Bool = false
    ) {
        self.name = name
        self.email = email
        self.apiKey = apiKey
        self.role = role
        self.teamStatus = teamStatus
        self.groups = groups
        self.activeDays = activeDays
        self.promptCreditsUsed = promptCreditsUsed
        self.disabled = disabled
        self.signupTime = signupTime
        self.lastUpdateTime = lastUpdateTime
        self.lastAutocompleteUsageTime = lastAutocompleteUsageTime
        self.lastChatUsageTime = lastChatUsageTime
        self.lastCommandUsageTime = lastCommandUsageTime
        self.numbersAsStrings = numbersAsStrings
    }

    /// The `team_status` label the exporter gives this user.
    public var exportedTeamStatus: String {
        teamStatus.isEmpty ? "USER_TEAM_STATUS_UNSPECIFIED" : teamStatus
    }

    /// The address as the exporter labels it: trimmed and lower-cased.
    public var normalizedEmail: String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }

    /// The newest usage of any kind.
    public var lastUsage: Double? {
        [lastAutocompleteUsageTime, lastChatUsageTime, lastCommandUsageTime].compactMap { $0?.value }.max()
    }

    /// The `userTableStats` entry, with zero, false and empty fields omitted as proto3 JSON does.
    func json(activeDaysCap: Int?) -> String {
        var members: [(String, String)] = []
        func number(_ value: Int) -> String { numbersAsStrings ? JSONText.string(String(value)) : String(value) }
        if !name.isEmpty { members.append(("name", JSONText.string(name))) }
        if !email.isEmpty { members.append(("email", JSONText.string(email))) }
        if let lastUpdateTime { members.append(("lastUpdateTime", JSONText.string(lastUpdateTime.text))) }
        if !apiKey.isEmpty { members.append(("apiKey", JSONText.string(apiKey))) }
        let days = activeDaysCap.map { min($0, activeDays) } ?? activeDays
        if days != 0 { members.append(("activeDays", number(days))) }
        if disabled { members.append(("disableCodeium", "true")) }
        if !role.isEmpty { members.append(("role", JSONText.string(role))) }
        if let signupTime { members.append(("signupTime", JSONText.string(signupTime.text))) }
        if let time = lastAutocompleteUsageTime { members.append(("lastAutocompleteUsageTime", JSONText.string(time.text))) }
        if let time = lastChatUsageTime { members.append(("lastChatUsageTime", JSONText.string(time.text))) }
        if let time = lastCommandUsageTime { members.append(("lastCommandUsageTime", JSONText.string(time.text))) }
        if promptCreditsUsed != 0 { members.append(("promptCreditsUsed", number(promptCreditsUsed))) }
        if !teamStatus.isEmpty { members.append(("teamStatus", JSONText.string(teamStatus))) }
        // A field the exporter does not know, which it must ignore.
        members.append(("experimentalFlags", "{\"cascade\":true,\"tags\":[1,\"two\"]}"))
        return JSONText.object(members)
    }
}
