/// Polls one report of one Workspace customer: the customer usage report (collector
/// `google_workspace_customer`) or, with `user_report: true`, the per-user one (`google_workspace_user`).
public struct GoogleReportPoller: SourcePoller {
    public let customer: GoogleWorkspaceCustomerConfiguration
    public let report: GoogleReportsAPI.Report
    let tokens: GoogleAccessTokenProvider
    let builder: GoogleSnapshotBuilder

    public init(
        customer: GoogleWorkspaceCustomerConfiguration,
        report: GoogleReportsAPI.Report,
        tokens: GoogleAccessTokenProvider,
        emailLabeler: EmailLabeler,
        perUser: Bool
    ) {
        self.customer = customer
        self.report = report
        self.tokens = tokens
        self.builder = GoogleSnapshotBuilder(customer: customer.name, userReport: report == .users, emailLabeler: emailLabeler, perUser: perUser)
    }

    public var id: SourceID { SourceID(report == .customer ? .googleWorkspaceCustomer : .googleWorkspaceUser, customer.name) }
    public var interval: Duration { customer.interval }

    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return customer == other.customer && report == other.report && builder == other.builder
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = GoogleReportsAPI(customer: customer, tokens: tokens)
        let answer = try await api.newestCompleteReport(report, context: context)
        let reports = answer.reports
        let (families, notes) = families(of: reports, day: answer.day)
        // A configured parameter that came back for nobody, for a reason other than a refusal or a warning
        // (nothing to check when every parameter is asked for, as the customer report does by default).
        let expected = answer.requested.expectedAnswerNames
        if !expected.isEmpty, !reports.isEmpty {
            let answered = Set(reports.lazy.flatMap(\.parameters).map(\.name))
            let missing = expected.filter { name in
                !answered.contains(name) && !answer.omittedApplications.contains(String(GoogleParameterNames.application(of: name)))
            }
            if !missing.isEmpty {
                context.logger.warning("configured parameters missing from the answer", metadata: ["parameters": "\(missing.joined(separator: ","))"])
            }
        }
        if !notes.duplicateSeries.isEmpty {
            context.logger.warning(
                "skipped series that an earlier parameter or object already produced",
                metadata: ["count": "\(notes.duplicateSeries.count)", "first": "\(notes.duplicateSeries[0])"]
            )
        }
        if notes.usersWithoutEmail > 0 {
            context.logger.warning("skipped user report entries without entity.userEmail", metadata: ["count": "\(notes.usersWithoutEmail)"])
        }
        if !notes.unsupportedParameters.isEmpty {
            context.logger.debug(
                "skipped parameters of an unknown value type",
                metadata: ["parameters": "\(notes.unsupportedParameters.joined(separator: ","))"]
            )
        }
        return families
    }

    /// The families of one report date's entries: what the live poll and the history backfill both export.
    public func families(of reports: [GoogleUsageReportPage.Report], day: Int) -> (families: [FamilySamples], notes: GoogleSnapshotBuilder.Notes) {
        switch report {
        case .customer: builder.customerFamilies(parameters: reports.flatMap(\.parameters), day: day)
        case .users: builder.userFamilies(reports: reports.map { ($0.userEmail, $0.parameters) }, day: day)
        }
    }
}
