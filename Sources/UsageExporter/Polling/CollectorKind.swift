/// The `collector` label: which upstream report a loop polls.
public enum CollectorKind: String, Sendable, Hashable, CaseIterable {
    case windsurf
    case windsurfCreditBalance = "windsurf_credit_balance"
    case windsurfAnalytics = "windsurf_analytics"
    case windsurfConsumption = "windsurf_consumption"
    case googleWorkspaceCustomer = "google_workspace_customer"
    case googleWorkspaceUser = "google_workspace_user"
}

/// One polled thing: a collector for one configured source (`team` or `customer` name).
public struct SourceID: Sendable, Hashable, CustomStringConvertible {
    public let collector: CollectorKind
    public let source: String

    public init(_ collector: CollectorKind, _ source: String) {
        self.collector = collector
        self.source = source
    }

    public var description: String { "\(collector.rawValue)/\(source)" }
}
