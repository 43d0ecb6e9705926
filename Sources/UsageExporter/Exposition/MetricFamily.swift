/// The kind of a metric family, as written on its `# TYPE` line.
public enum MetricType: String, Sendable, Hashable {
    case gauge
    case counter
}

/// The name, help text and type of one metric family, everything its `# HELP` and `# TYPE` lines say, and the
/// labels its series carry: the definition docs/metrics.md is generated from (``MetricReference``).
public struct MetricFamily: Sendable, Hashable {
    /// The family name as exposed; for counters it includes the `_total` suffix.
    public let name: String
    public let help: String
    public let type: MetricType
    /// The label names of the family's series, in the order they are written. `group` is there only for a team
    /// with `groups`, and `name` only without pseudonyms; empty for families named from upstream data (the Google
    /// Workspace parameters), whose labels come from the data too.
    public let labels: [String]

    public init(_ name: String, help: String, type: MetricType = .gauge, labels: [String] = []) {
        self.name = name
        self.help = help
        self.type = type
        self.labels = labels
    }
}
