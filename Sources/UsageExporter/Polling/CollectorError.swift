/// Why a poll failed: the `reason` label of `usage_exporter_collector_errors_total`.
public enum ErrorReason: String, Sendable, CaseIterable, Hashable {
    /// The upstream refused the credentials (bad service key, missing permission, token refused).
    case auth
    /// HTTP 429 or a quota error, still failing after the retries.
    case rateLimited = "rate_limited"
    /// The upstream failed: 5xx, an unexpected status, an answer that was too large or said it failed.
    case upstream
    /// A request did not complete before its deadline.
    case timeout
    /// The connection could not be made or broke.
    case network
    /// The answer was not the JSON the API documents.
    case decode
    /// The upstream rejected the request as configured (unknown group, bad parameter).
    case config
}

/// A failed upstream request or poll, with a message an admin can act on. It never carries a secret.
public struct CollectorError: Error, Sendable, CustomStringConvertible {
    public let reason: ErrorReason
    public let message: String
    /// Worth another attempt within the same poll.
    public let isRetryable: Bool
    /// The delay the upstream asked for with `Retry-After`.
    public let retryAfter: Duration?
    /// No request was sent: an earlier `Retry-After` (or a query budget) holds the endpoint back for
    /// `retryAfter`. Waiting it out is not another attempt of the retry policy.
    public let wasHeldBack: Bool

    public init(_ reason: ErrorReason, _ message: String, isRetryable: Bool = false, retryAfter: Duration? = nil, wasHeldBack: Bool = false) {
        self.reason = reason
        self.message = message
        self.isRetryable = isRetryable
        self.retryAfter = retryAfter
        self.wasHeldBack = wasHeldBack
    }

    public var description: String { "\(reason.rawValue): \(message)" }
}
