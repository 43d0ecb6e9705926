/// One Windsurf team to poll: an entry of the `windsurf` list.
public struct WindsurfTeamConfiguration: Sendable, Equatable {
    public static let defaultBaseURL = "https://server.codeium.com"

    /// The `team` label.
    public var name: String
    /// The API root, without a trailing slash.
    public var baseURL: String
    public var serviceKey: Secret
    /// One query per group, labelled `group`; nil queries the whole team and has no `group` label.
    public var groups: [String]?
    /// How far back `activeDays` counts: `start_timestamp` = now − window.
    public var activeDaysWindow: Duration
    /// Also poll `GetTeamCreditBalance`.
    public var creditBalance: Bool
    public var interval: Duration
    /// The deadline of each HTTP request.
    public var timeout: Duration

    public init(
        name: String,
        baseURL: String = Self.defaultBaseURL,
        serviceKey: Secret,
        groups: [String]? = nil,
        activeDaysWindow: Duration = .seconds(30 * 86_400),
        creditBalance: Bool = false,
        interval: Duration = .seconds(15 * 60),
        timeout: Duration = .seconds(30)
    ) {
        self.name = name
        self.baseURL = baseURL
        self.serviceKey = serviceKey
        self.groups = groups
        self.activeDaysWindow = activeDaysWindow
        self.creditBalance = creditBalance
        self.interval = interval
        self.timeout = timeout
    }
}
