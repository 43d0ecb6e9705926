/// The whole configuration file, validated.
public struct ExporterConfiguration: Sendable, Equatable {
    public var windsurf: [WindsurfTeamConfiguration]
    public var googleWorkspace: [GoogleWorkspaceCustomerConfiguration]
    public var privacy: PrivacyConfiguration
    /// A source that has failed this long has its series dropped.
    public var maxStale: Duration

    public init(
        windsurf: [WindsurfTeamConfiguration] = [],
        googleWorkspace: [GoogleWorkspaceCustomerConfiguration] = [],
        privacy: PrivacyConfiguration = PrivacyConfiguration(),
        maxStale: Duration = .seconds(86_400)
    ) {
        self.windsurf = windsurf
        self.googleWorkspace = googleWorkspace
        self.privacy = privacy
        self.maxStale = maxStale
    }
}
