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

    public init(customerID: String, parameters: [SimulatedUsageParameter], users: [SimulatedWorkspaceUser], includeEntryWithoutEmail: Bool = true) {
        self.customerID = customerID
        self.parameters = parameters
        self.users = users
        self.includeEntryWithoutEmail = includeEntryWithoutEmail
    }
}
