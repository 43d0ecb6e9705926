/// Retries within one poll: exponential backoff with full jitter, honouring `Retry-After`.
public struct RetryPolicy: Sendable {
    /// Attempts per poll, the first included.
    public var maximumAttempts: Int
    /// The backoff ceiling before the first retry; it doubles each time.
    public var initialBackoff: Duration
    public var maximumBackoff: Duration
    /// A `Retry-After` longer than this fails the poll at once rather than holding it.
    public var maximumRetryAfter: Duration

    public init(
        maximumAttempts: Int = 5,
        initialBackoff: Duration = .seconds(1),
        maximumBackoff: Duration = .seconds(30),
        maximumRetryAfter: Duration = .seconds(300)
    ) {
        self.maximumAttempts = maximumAttempts
        self.initialBackoff = initialBackoff
        self.maximumBackoff = maximumBackoff
        self.maximumRetryAfter = maximumRetryAfter
    }

    public static let standard = RetryPolicy()

    /// The wait before attempt `attempt + 1`, after `attempt` (1-based) failed with `error`; nil means give up.
    public func delay(after attempt: Int, error: CollectorError) -> Duration? {
        guard error.isRetryable, attempt < maximumAttempts else { return nil }
        if let retryAfter = error.retryAfter {
            return retryAfter <= maximumRetryAfter ? retryAfter : nil
        }
        let ceiling = min(initialBackoff * (1 << min(attempt - 1, 20)), maximumBackoff)
        // Full jitter: uniformly between half the ceiling and the ceiling, so retries of many sources spread out.
        return ceiling * Double.random(in: 0.5...1.0)
    }

    /// Runs `operation` until it succeeds, fails for good, or runs out of attempts; the last error is thrown.
    /// Errors other than `CollectorError` (cancellation) end it at once.
    /// `onRetry` is told of each error that will be retried and the wait before the next attempt.
    public func run<Value: Sendable>(
        _ operation: () async throws -> Value,
        onRetry: (CollectorError, Int, Duration) -> Void = { _, _, _ in }
    ) async throws -> Value {
        var attempt = 1
        while true {
            do {
                return try await operation()
            } catch let error as CollectorError {
                guard let wait = delay(after: attempt, error: error) else { throw error }
                onRetry(error, attempt, wait)
                try await Task.sleep(for: wait)
                attempt += 1
            }
        }
    }
}
