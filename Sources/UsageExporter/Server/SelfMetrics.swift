import NIOCore

/// The exporter's own families, rendered at each scrape from the poll statuses.
public enum SelfMetrics {
    public static let collectorSuccess = MetricFamily(
        "usage_exporter_collector_success",
        help: "1 if the last poll of the collector for the source succeeded, else 0.",
        labels: ["collector", "source"]
    )
    public static let collectorLastSuccess = MetricFamily(
        "usage_exporter_collector_last_success_timestamp_seconds",
        help: "When the last successful poll finished, in Unix seconds.",
        labels: ["collector", "source"]
    )
    public static let collectorDuration = MetricFamily(
        "usage_exporter_collector_duration_seconds",
        help: "How long the last poll took, retries included, in seconds.",
        labels: ["collector", "source"]
    )
    public static let collectorHeldBackUntil = MetricFamily(
        "usage_exporter_collector_held_back_until_timestamp_seconds",
        help:
            "Until when an upstream's Retry-After (or a query budget) holds the source's requests back, in Unix seconds: the latest such instant, in the past once it is over; 0 when none ever did.",
        labels: ["collector", "source"]
    )
    public static let collectorErrors = MetricFamily(
        "usage_exporter_collector_errors_total",
        help: "Failed polls by reason.",
        type: .counter,
        labels: ["collector", "source", "reason"]
    )
    public static let upstreamRequests = MetricFamily(
        "usage_exporter_upstream_requests_total",
        help: "HTTP requests sent upstream by status code (error when none came back).",
        type: .counter,
        labels: ["collector", "source", "code"]
    )
    public static let buildInfo = MetricFamily(
        "usage_exporter_build_info",
        help: "The exporter's version, the git revision and the Swift version it was built with; always 1.",
        labels: ["version", "revision", "swift_version"]
    )
    public static let configLastReloadSuccessful = MetricFamily(
        "usage_exporter_config_last_reload_successful",
        help: "1 if the last configuration load succeeded, else 0."
    )
    public static let configLastReloadSuccess = MetricFamily(
        "usage_exporter_config_last_reload_success_timestamp_seconds",
        help: "When the configuration was last loaded successfully, in Unix seconds."
    )

    /// Every self-metric family, in the order a scrape writes them.
    public static let all = [
        collectorSuccess, collectorLastSuccess, collectorDuration, collectorHeldBackUntil, collectorErrors, upstreamRequests, buildInfo,
        configLastReloadSuccessful, configLastReloadSuccess,
    ]

    /// The state of configuration loading shown by the `config_last_reload` families.
    public struct ReloadStatus: Sendable {
        public var lastSucceeded: Bool
        public var lastSuccessTime: Double

        public init(lastSucceeded: Bool, lastSuccessTime: Double) {
            self.lastSucceeded = lastSucceeded
            self.lastSuccessTime = lastSuccessTime
        }
    }

    /// Writes every self-metric family.
    public static func write(
        statuses: [(source: SourceID, status: CollectorStatus)],
        reload: ReloadStatus,
        format: ExpositionFormat = .text,
        into buffer: inout ByteBuffer
    ) {
        var success = FixedSamplesBuilder(collectorSuccess)
        var lastSuccess = FixedSamplesBuilder(collectorLastSuccess)
        var duration = FixedSamplesBuilder(collectorDuration)
        var heldBack = FixedSamplesBuilder(collectorHeldBackUntil)
        var errors = FixedSamplesBuilder(collectorErrors)
        var requests = FixedSamplesBuilder(upstreamRequests)
        for (source, status) in statuses {
            let labels = LabelSet([("collector", source.collector.rawValue), ("source", source.source)])
            if let succeeded = status.lastPollSucceeded { success.add(labels, succeeded ? 1 : 0) }
            if let time = status.lastSuccessTime { lastSuccess.add(labels, time) }
            if let seconds = status.lastPollDuration { duration.add(labels, seconds) }
            heldBack.add(labels, status.heldBackUntil ?? 0)
            for reason in ErrorReason.allCases {
                errors.add(labels.adding([("reason", reason.rawValue)]), Double(status.errors[reason] ?? 0))
            }
            for (code, count) in status.requests.sorted(by: { $0.key < $1.key }) {
                requests.add(labels.adding([("code", code)]), Double(count))
            }
        }
        var build = FixedSamplesBuilder(buildInfo)
        build.add(
            LabelSet([
                ("version", ExporterVersion.version), ("revision", ExporterVersion.revision), ("swift_version", ExporterVersion.swiftVersion),
            ]),
            1
        )
        var reloadSuccessful = FixedSamplesBuilder(configLastReloadSuccessful)
        reloadSuccessful.add(.empty, reload.lastSucceeded ? 1 : 0)
        var reloadTime = FixedSamplesBuilder(configLastReloadSuccess)
        reloadTime.add(.empty, reload.lastSuccessTime)

        let families = [success, lastSuccess, duration, heldBack, errors, requests, build, reloadSuccessful, reloadTime].compactMap { $0.build() }
        for samples in families.sorted(by: { $0.family.name < $1.family.name }) {
            ExpositionText.writeHeader(of: samples.family, format: format, into: &buffer)
            samples.body.write(into: &buffer, now: 0)
        }
    }
}
