/// One `app:param` of a simulated usage report, written as the Reports API writes it.
public struct SimulatedUsageParameter: Sendable {
    public enum Value: Sendable {
        /// Written as `intValue`, an int64 in a string.
        case int(Int64)
        case bool(Bool)
        case datetime(SimulatedTimestamp)
        case string(String)
        /// `msgValue`: objects given as field name and raw JSON value.
        case messages([[(String, String)]])
    }

    public let name: String
    public let value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    var json: String {
        let member: (String, String) =
            switch value {
            case .int(let number): ("intValue", JSONText.string(String(number)))
            case .bool(let flag): ("boolValue", flag ? "true" : "false")
            case .datetime(let time): ("datetimeValue", JSONText.string(time.text))
            case .string(let text): ("stringValue", JSONText.string(text))
            case .messages(let objects): ("msgValue", "[" + objects.map(JSONText.object).joined(separator: ",") + "]")
            }
        return JSONText.object([("name", JSONText.string(name)), member])
    }
}

/// A user of the simulated Workspace customer, with the per-user report's parameters.
public struct SimulatedWorkspaceUser: Sendable {
    public var email: String
    public var parameters: [SimulatedUsageParameter]

    public init(email: String, parameters: [SimulatedUsageParameter]) {
        self.email = email
        self.parameters = parameters
    }

    public func parameter(_ name: String) -> SimulatedUsageParameter.Value? {
        parameters.first { $0.name == name }?.value
    }
}

/// A simulated Workspace customer: its report parameters and users.
public struct SimulatedWorkspaceCustomer: Sendable {
    /// Parameters Google accepts in a request but that have no data here, so the answer leaves them out
    /// (as for an application nobody uses).
    public static let knownWithoutData: Set<String> = ["classroom:num_courses_created", "classroom:last_interaction_time"]

    public var customerID: String
    public var parameters: [SimulatedUsageParameter]
    public var users: [SimulatedWorkspaceUser]
    /// Add one per-user entry without `entity.userEmail`, as for a deleted user.
    public var includeEntryWithoutEmail: Bool
    /// How the reports differ by date; nil: every date answers `parameters` and `users` as they are.
    public var history: SimulatedWorkspaceHistory?

    public init(
        customerID: String,
        parameters: [SimulatedUsageParameter],
        users: [SimulatedWorkspaceUser],
        includeEntryWithoutEmail: Bool = true,
        history: SimulatedWorkspaceHistory? = nil
    ) {
        self.customerID = customerID
        self.parameters = parameters
        self.users = users
        self.includeEntryWithoutEmail = includeEntryWithoutEmail
        self.history = history
    }
}

/// How a simulated customer's reports change from date to date, so that a backfill has a past to find: values
/// drift and vary by date, one user joins, one leaves, one date has no data, and dates older than Google's
/// retention are refused. Every date's answer is a function of the date alone (and of this history), so it is
/// the same whenever it is asked.
public struct SimulatedWorkspaceHistory: Sendable {
    /// The US Pacific day the customer's generated values describe (the day the simulator was made).
    public var anchorDay: Int
    /// Dates older than this many days before today are refused, as Google keeps 450 days of reports.
    public var retentionDays: Int
    /// A date with no data at all: every application answers DATA_NOT_AVAILABLE.
    public var missingDay: Int?
    /// A user of the customer who joined on `day`: absent from the per-user report before it.
    public var joiner: (email: String, day: Int)?
    /// A former user, in the per-user report for dates before `day` only.
    public var leaver: (user: SimulatedWorkspaceUser, day: Int)?
    public var seed: UInt64

    public init(
        anchorDay: Int,
        retentionDays: Int = 450,
        missingDay: Int? = nil,
        joiner: (email: String, day: Int)? = nil,
        leaver: (user: SimulatedWorkspaceUser, day: Int)? = nil,
        seed: UInt64 = 7
    ) {
        self.anchorDay = anchorDay
        self.retentionDays = retentionDays
        self.missingDay = missingDay
        self.joiner = joiner
        self.leaver = leaver
        self.seed = seed
    }

    /// A number in 0..<1 fixed by `name` and `day`.
    func noise(_ name: String, _ day: Int) -> Double {
        var generator = SeededGenerator(
            seed: seed ^ WindsurfAnalyticsGenerator.fnv1a(name) ^ (UInt64(bitPattern: Int64(day)) &* 0x9E37_79B9_7F4A_7C15)
        )
        return Double.random(in: 0..<1, using: &generator)
    }

    /// An `intValue` on `day`: the anchor's value, smaller the further back (about 3% a month), varying ±4% by date.
    func value(_ base: Int64, name: String, on day: Int) -> Int64 {
        let age = Double(max(0, anchorDay - day))
        let scaled = Double(base) * max(0.2, 1 - 0.001 * age) * (0.96 + 0.08 * noise(name, day))
        return Int64(scaled.rounded())
    }

    /// A user's last-activity time as a report of `day` shows it: the anchor's value when it is before the end of
    /// `day` (US Pacific), else the same time of day on an earlier day, one to three days (fixed per user) before the day's end.
    func timestamp(_ base: SimulatedTimestamp, user: String, name: String, on day: Int) -> SimulatedTimestamp {
        let endOfDay = Int64(day + 1) * 86_400 + 8 * 3_600
        guard base.wholeSeconds > 0, base.wholeSeconds >= endOfDay else { return base }
        let back = (base.wholeSeconds - endOfDay) / 86_400 + 1 + Int64(noise(user + name, 0) * 3)
        return SimulatedTimestamp(wholeSeconds: base.wholeSeconds - back * 86_400, fraction: base.fraction)
    }
}

extension SimulatedWorkspaceCustomer {
    /// The customer report's parameters for `day`: the anchor's, or as `history` makes them for an earlier date
    /// (`accounts:num_users` is the number of users that date).
    public func parameters(on day: Int) -> [SimulatedUsageParameter] {
        guard let history else { return parameters }
        return parameters.map { parameter in
            guard case .int(let base) = parameter.value else { return parameter }
            if parameter.name == "accounts:num_users" { return SimulatedUsageParameter(parameter.name, .int(Int64(users(on: day).count))) }
            return SimulatedUsageParameter(parameter.name, .int(history.value(base, name: parameter.name, on: day)))
        }
    }

    /// The users of the per-user report for `day`, with their parameters as of that date.
    public func users(on day: Int) -> [SimulatedWorkspaceUser] {
        guard let history else { return users }
        var present = users
        if let joiner = history.joiner, day < joiner.day { present.removeAll { $0.email == joiner.email } }
        if let leaver = history.leaver, day < leaver.day { present.append(leaver.user) }
        return present
    }

    /// `user`'s parameters as a report of `day` shows them.
    public func parameters(of user: SimulatedWorkspaceUser, on day: Int) -> [SimulatedUsageParameter] {
        guard let history else { return user.parameters }
        return user.parameters.map { parameter in
            switch parameter.value {
            case .datetime(let time):
                return SimulatedUsageParameter(parameter.name, .datetime(history.timestamp(time, user: user.email, name: parameter.name, on: day)))
            case .int(let base):
                return SimulatedUsageParameter(parameter.name, .int(history.value(base, name: user.email + parameter.name, on: day)))
            default:
                return parameter
            }
        }
    }
}
