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
    /// Also poll `GetTeamCreditBalance` and `GetUsageConfig`.
    public var creditBalance: Bool
    /// Also poll `CascadeAnalytics` and the custom `Analytics` API (collector `windsurf_analytics`).
    public var analytics: Bool
    /// The analytics windows, in whole days: each is that many complete UTC days ending at today 00:00 UTC.
    public var analyticsWindows: [Int]
    /// The poll period of the analytics.
    public var analyticsInterval: Duration
    /// Also poll the Devin Desktop consumption API v2 (`GET /api/v2alpha/analytics/consumption`, collector
    /// `windsurf_consumption`), summed into each of `analyticsWindows`.
    public var consumption: Bool
    /// The poll period of the consumption API: at least ``minimumConsumptionInterval``.
    public var consumptionInterval: Duration
    public var interval: Duration
    /// The deadline of each HTTP request.
    public var timeout: Duration

    public static let defaultAnalyticsWindows = [7, 30]
    /// The consumption API allows 10 queries an hour per team; one poll sends one query (its pages are free),
    /// so no interval of 6 minutes or more can exceed the limit.
    public static let minimumConsumptionInterval = Duration.seconds(360)

    /// What each poll queries: every configured group, or the whole team (nil).
    public var scopes: [String?] { groups.map { $0.map(Optional.some) } ?? [nil] }

    /// Whether `other` reaches the API the same way (base URL, service key, timeout): every Windsurf
    /// collector reads these.
    public func hasSameConnection(as other: WindsurfTeamConfiguration) -> Bool {
        baseURL == other.baseURL && serviceKey == other.serviceKey && timeout == other.timeout
    }

    public init(
        name: String,
        baseURL: String = Self.defaultBaseURL,
        serviceKey: Secret,
        groups: [String]? = nil,
        activeDaysWindow: Duration = .seconds(30 * 86_400),
        creditBalance: Bool = false,
        analytics: Bool = false,
        analyticsWindows: [Int] = Self.defaultAnalyticsWindows,
        analyticsInterval: Duration = .seconds(3600),
        consumption: Bool = false,
        consumptionInterval: Duration = .seconds(3600),
        interval: Duration = .seconds(15 * 60),
        timeout: Duration = .seconds(30)
    ) {
        self.name = name
        self.baseURL = baseURL
        self.serviceKey = serviceKey
        self.groups = groups
        self.activeDaysWindow = activeDaysWindow
        self.creditBalance = creditBalance
        self.analytics = analytics
        self.analyticsWindows = analyticsWindows
        self.analyticsInterval = analyticsInterval
        self.consumption = consumption
        self.consumptionInterval = consumptionInterval
        self.interval = interval
        self.timeout = timeout
    }
}
