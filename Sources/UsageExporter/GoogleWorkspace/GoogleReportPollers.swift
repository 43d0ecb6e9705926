/// Polls the customer usage report of one Workspace customer.
public struct GoogleCustomerReportPoller: SourcePoller {
    public let customer: GoogleWorkspaceCustomerConfiguration
    let tokens: GoogleAccessTokenProvider
    let builder: GoogleSnapshotBuilder

    public init(customer: GoogleWorkspaceCustomerConfiguration, tokens: GoogleAccessTokenProvider, emailLabeler: EmailLabeler, perUser: Bool) {
        self.customer = customer
        self.tokens = tokens
        self.builder = GoogleSnapshotBuilder(customer: customer.name, userReport: false, emailLabeler: emailLabeler, perUser: perUser)
    }

    public var id: SourceID { SourceID(.googleWorkspaceCustomer, customer.name) }
    public var interval: Duration { customer.interval }

    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return customer == other.customer && builder == other.builder
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = GoogleReportsAPI(customer: customer, tokens: tokens)
        let (day, reports) = try await api.newestCompleteReport(.customer, context: context)
        let (families, notes) = builder.customerFamilies(parameters: reports.flatMap(\.parameters), day: day)
        log(notes, context: context)
        return families
    }
}

/// Polls the per-user usage report of one Workspace customer (`user_report: true`).
public struct GoogleUserReportPoller: SourcePoller {
    public let customer: GoogleWorkspaceCustomerConfiguration
    let tokens: GoogleAccessTokenProvider
    let builder: GoogleSnapshotBuilder

    public init(customer: GoogleWorkspaceCustomerConfiguration, tokens: GoogleAccessTokenProvider, emailLabeler: EmailLabeler, perUser: Bool) {
        self.customer = customer
        self.tokens = tokens
        self.builder = GoogleSnapshotBuilder(customer: customer.name, userReport: true, emailLabeler: emailLabeler, perUser: perUser)
    }

    public var id: SourceID { SourceID(.googleWorkspaceUser, customer.name) }
    public var interval: Duration { customer.interval }

    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return customer == other.customer && builder == other.builder
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = GoogleReportsAPI(customer: customer, tokens: tokens)
        let (day, reports) = try await api.newestCompleteReport(.users, context: context)
        let (families, notes) = builder.userFamilies(reports: reports.map { ($0.userEmail, $0.parameters) }, day: day)
        log(notes, context: context)
        return families
    }
}

func log(_ notes: GoogleSnapshotBuilder.Notes, context: PollContext) {
    if !notes.duplicateSeries.isEmpty {
        context.logger.warning(
            "skipped series that an earlier parameter or object already produced",
            metadata: ["count": "\(notes.duplicateSeries.count)", "first": "\(notes.duplicateSeries[0])"])
    }
    if notes.usersWithoutEmail > 0 {
        context.logger.warning("skipped user report entries without entity.userEmail", metadata: ["count": "\(notes.usersWithoutEmail)"])
    }
    if !notes.unsupportedParameters.isEmpty {
        context.logger.debug("skipped parameters of an unknown value type", metadata: ["parameters": "\(notes.unsupportedParameters.joined(separator: ","))"])
    }
}
