import Logging

/// Everything a poll may use besides its own configuration.
public struct PollContext: Sendable {
    public let client: UpstreamClient
    public let retryPolicy: RetryPolicy
    public let clock: any ExporterClock
    /// When the source's next poll is scheduled (Unix seconds): no retry wait may run past it.
    public let nextPollTime: Double?
    public let logger: Logger
    /// Counts one upstream request by status code.
    public let recordRequest: @Sendable (String) -> Void

    public init(
        client: UpstreamClient,
        retryPolicy: RetryPolicy,
        clock: any ExporterClock = SystemClock(),
        nextPollTime: Double? = nil,
        logger: Logger,
        recordRequest: @escaping @Sendable (String) -> Void
    ) {
        self.client = client
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.nextPollTime = nextPollTime
        self.logger = logger
        self.recordRequest = recordRequest
    }

    /// Unix seconds now.
    public func now() -> Double { clock.now() }

    /// Runs one upstream call with the retry policy, logging each retry.
    public func withRetries<Value: Sendable>(_ what: String, _ operation: () async throws -> Value) async throws -> Value {
        try await retryPolicy.run(clock: clock, deadline: nextPollTime, operation) { error, attempt, wait in
            if error.wasHeldBack {
                logger.info("\(what) held back, waiting", metadata: ["wait": "\(PrometheusDuration.format(wait))", "reason": "\(error.message)"])
            } else {
                logger.warning(
                    "\(what) failed, retrying",
                    metadata: ["attempt": "\(attempt)", "wait": "\(PrometheusDuration.format(wait))", "error": "\(error)"]
                )
            }
        }
    }
}

/// One upstream report polled on an interval: a collector for one source.
public protocol SourcePoller: Sendable {
    var id: SourceID { get }
    var interval: Duration { get }
    /// Polls once. Throws `CollectorError` on failure, `CancellationError` when stopped.
    func poll(_ context: PollContext) async throws -> [FamilySamples]
    /// Whether `other` polls the same way, so a reload can leave its loop running.
    func hasSameSettings(as other: any SourcePoller) -> Bool
}
