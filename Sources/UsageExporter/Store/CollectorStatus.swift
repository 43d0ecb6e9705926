/// What the exporter knows about one source's polls: the self-metrics and the landing page read it.
public struct CollectorStatus: Sendable {
    /// nil until the first poll finishes.
    public var lastPollSucceeded: Bool?
    public var lastSuccessTime: Double?
    public var lastPollDuration: Double?
    public var lastError: String?
    public var lastErrorTime: Double?
    public var nextPollTime: Double?
    /// Until when an upstream's `Retry-After` (or a query budget) holds this source's requests back: the
    /// latest such instant, past or not; nil when none ever did.
    public var heldBackUntil: Double?
    /// Since when polls have been failing, nil while the last one succeeded.
    public var failingSince: Double?
    public var errors: [ErrorReason: Int] = [:]
    public var requests: [String: Int] = [:]

    public init() {}
}
