/// The kind of a metric family, as written on its `# TYPE` line.
public enum MetricType: String, Sendable, Hashable {
    case gauge
    case counter
}

/// The name, help text and type of one metric family: everything its `# HELP` and `# TYPE` lines say.
public struct MetricFamily: Sendable, Hashable {
    /// The family name as exposed; for counters it includes the `_total` suffix.
    public let name: String
    public let help: String
    public let type: MetricType

    public init(_ name: String, help: String, type: MetricType = .gauge) {
        self.name = name
        self.help = help
        self.type = type
    }
}
