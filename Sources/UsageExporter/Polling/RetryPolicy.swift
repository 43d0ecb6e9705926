/// Retries within one poll: exponential backoff with full jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Attempts per poll, the first included.
    public var maximumAttempts: Int
    /// The backoff ceiling before the first retry; it doubles each time.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration

    public init(maximumAttempts: Int = 5, initialBackoff: Duration = .seconds(1), maximumBackoff: Duration = .seconds(30)) {
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
    }

    public static let standard = RetryPolicy()

    /// The wait before attempt `attempt + 1`, after `attempt` (1-based) failed with `error`; nil means give up.
    /// A `Retry-After` is used as given (``RetryAfter`` has already capped it at an hour).
    public func delay(after attempt: Int, error: CollectorError) -> Duration? {
        guard error.isRetryable, attempt < maximumAttempts else { return nil }
        if let retryAfter = error.retryAfter { return retryAfter }
        let ceiling = min(initialBackoff * (1 << min(max(attempt - 1, 0), 20)), maximumBackoff)
        // Full jitter: uniformly between half the ceiling and the ceiling, so retries of many sources spread out.
        return ceiling * Double.random(in: 0.5...1.0)
    }

    /// Runs `operation` until it succeeds, fails for good, or runs out of attempts; the last error is thrown.
    /// Errors other than `CollectorError` (cancellation) end it at once.
    ///
    /// Waits use `clock`. A `Retry-After` wait that would end after `deadline` (the source's next scheduled
    /// poll) is not started: the poll ends instead, with reason `rate_limited`. Backoff waits are short
    /// (at most `maximumBackoff`) and always taken. A request the client held back (``CollectorError/wasHeldBack``:
    /// an earlier `Retry-After` or a spent query budget) was never sent: waiting until it may leave is not
    /// counted as an attempt, and a wait past `deadline` ends the poll the same way.
    /// `onRetry` is told of each error that will be retried and the wait before the next attempt.
    public func run<Value: Sendable>(
        clock: any ExporterClock,
        deadline: Double? = nil,
        _ operation: () async throws -> Value,
        onRetry: (CollectorError, Int, Duration) -> Void = { _, _, _ in }
    ) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as CollectorError {
                let wait = error.wasHeldBack ? error.retryAfter : delay(after: attempt, error: error)
                guard let wait else { throw error }
                let resume = clock.now() + wait.seconds
                if let deadline, error.retryAfter != nil, resume > deadline {
                    throw error.waitPastNextPoll(wait)
                }
                onRetry(error, attempt, wait)
                try await clock.sleep(until: resume)
                if !error.wasHeldBack { attempt += 1 }
            }
        }
    }
}

extension CollectorError {
    /// The error that ends a poll whose upstream asked for a wait longer than the time to the next poll.
    func waitPastNextPoll(_ wait: Duration) -> CollectorError {
        if wasHeldBack {
            return CollectorError(.rateLimited, "\(message), which is after the next scheduled poll; nothing was sent")
        }
        return CollectorError(
            .rateLimited,
            "\(message); the upstream asked to wait \(PrometheusDuration.format(wait)) (Retry-After), which runs past the next scheduled poll"
        )
    }
}
