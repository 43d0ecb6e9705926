/// One Google Workspace customer to poll: an entry of the `google_workspace` list.
public struct GoogleWorkspaceCustomerConfiguration: Sendable, Equatable {
    public static let defaultBaseURL = "https://admin.googleapis.com"
    public static let defaultUserParameters = [
        "accounts:last_login_time", "accounts:is_suspended", "accounts:is_2sv_enrolled",
        "gmail:last_interaction_time", "drive:timestamp_last_active_usage",
    ]

    /// The `customer` label.
    public var name: String
    /// Path of the service-account key JSON.
    public var credentialsFile: String
    /// The key read from `credentialsFile`, validated when the configuration loaded.
    public var credentials: ServiceAccountKey
    /// The admin the service account impersonates.
    public var subject: String
    public var customerID: String
    /// `app:param` names to ask for; empty asks for every parameter.
    public var customerParameters: [String]
    public var userReport: Bool
    public var userParameters: [String]
    public var maxLookbackDays: Int
    public var interval: Duration
    public var timeout: Duration
    public var baseURL: String

    public init(
        name: String,
        credentialsFile: String,
        credentials: ServiceAccountKey,
        subject: String,
        customerID: String = "my_customer",
        customerParameters: [String] = [],
        userReport: Bool = false,
        userParameters: [String] = Self.defaultUserParameters,
        maxLookbackDays: Int = 7,
        interval: Duration = .seconds(3600),
        timeout: Duration = .seconds(30),
        baseURL: String = Self.defaultBaseURL
    ) {
        self.name = name
        self.credentialsFile = credentialsFile
        self.credentials = credentials
        self.subject = subject
        self.customerID = customerID
        self.customerParameters = customerParameters
        self.userReport = userReport
        self.userParameters = userParameters
        self.maxLookbackDays = maxLookbackDays
        self.interval = interval
        self.timeout = timeout
        self.baseURL = baseURL
    }
}
