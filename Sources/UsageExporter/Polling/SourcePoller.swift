import Logging

/// Everything a poll may use besides its own configuration.
public struct PollContext: Sendable {
    public let client: UpstreamClient
    public let retryPolicy: RetryPolicy
    public let logger: Logger
    /// Counts one upstream request by status code.
    public let recordRequest: @Sendable (String) -> Void
    /// Unix seconds now.
    public let now: @Sendable () -> Double

    public init(
        client: UpstreamClient, retryPolicy: RetryPolicy, logger: Logger,
        recordRequest: @escaping @Sendable (String) -> Void, now: @escaping @Sendable () -> Double
    ) {
        self.client = client
        self.retryPolicy = retryPolicy
        self.logger = logger
        self.recordRequest = recordRequest
        self.now = now
    }

    /// Runs one upstream call with the retry policy, logging each retry.
    public func withRetries<Value: Sendable>(_ what: String, _ operation: () async throws -> Value) async throws -> Value {
        try await retryPolicy.run(operation) { error, attempt, wait in
            logger.warning(
                "\(what) failed, retrying",
                metadata: ["attempt": "\(attempt)", "wait": "\(PrometheusDuration.format(wait))", "error": "\(error)"])
        }
    }
}

/// One upstream report polled on an interval: a collector for one source.
public protocol SourcePoller: Sendable {
    var id: SourceID { get }
    var interval: Duration { get }
    /// Polls once. Throws `CollectorError` on failure, `CancellationError` when shut down.
    func poll(_ context: PollContext) async throws -> [FamilySamples]
    /// Whether `other` polls the same way, so a reload can leave its loop running.
    func hasSameSettings(as other: any SourcePoller) -> Bool
}
