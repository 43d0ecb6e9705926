import Synchronization
import Testing

@testable import UsageExporter

/// Retries within a poll, with a clock the tests advance by hand.
@Suite("Retry policy")
struct RetryPolicyTests {
    static let start = 1_800_000_000.0

    let clock = ManualClock(now: Self.start)
    let policy = RetryPolicy(maximumAttempts: 4, initialBackoff: .seconds(2), maximumBackoff: .seconds(5))

    /// An operation that fails with the given errors in turn, then succeeds with the attempt number.
    final class Attempts: Sendable {
        let errors: [CollectorError]
        private let count = Mutex(0)

        init(_ errors: [CollectorError]) { self.errors = errors }

        var made: Int { count.withLock { $0 } }

        func attempt() throws -> Int {
            let number = count.withLock { count in
                count += 1
                return count
            }
            if number <= errors.count { throw errors[number - 1] }
            return number
        }
    }

    @Test("transient errors are retried after a backoff that doubles, with jitter, up to the ceiling")
    func backoff() async throws {
        let attempts = Attempts([
            CollectorError(.upstream, "502", isRetryable: true), CollectorError(.timeout, "slow", isRetryable: true),
            CollectorError(.network, "reset", isRetryable: true),
        ])
        let clock = self.clock
        let policy = self.policy
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await policy.run(clock: clock, deadline: Self.start + 600) { try attempts.attempt() } }
            for (attempt, ceiling) in [(1, 2.0), (2, 4.0), (3, 5.0)] {
                try await clock.waitForSleepers(1)
                let wait = try #require(clock.sleepingUntil.first) - clock.now()
                #expect(wait >= ceiling / 2 && wait <= ceiling, "wait \(wait) after attempt \(attempt)")
                #expect(attempts.made == attempt)
                clock.advance(by: wait)
            }
            #expect(try await group.next() == 4)
        }
    }

    @Test("a Retry-After is waited out exactly; one that would run past the next poll ends the poll as rate_limited")
    func retryAfter() async throws {
        let clock = self.clock
        let policy = self.policy
        let asked = CollectorError(.upstream, "HTTP 503", isRetryable: true, retryAfter: .seconds(30))
        let attempts = Attempts([asked])
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await policy.run(clock: clock, deadline: Self.start + 60) { try attempts.attempt() } }
            try await clock.waitForSleepers(1)
            #expect(clock.sleepingUntil == [Self.start + 30])
            clock.advance(by: 30)
            #expect(try await group.next() == 2)
        }

        let tooLong = Attempts([CollectorError(.rateLimited, "HTTP 429", isRetryable: true, retryAfter: .seconds(3600))])
        do {
            _ = try await policy.run(clock: clock, deadline: clock.now() + 60) { try tooLong.attempt() }
            Issue.record("a wait past the next poll was taken")
        } catch let error as CollectorError {
            #expect(error.reason == .rateLimited)
            #expect(error.message == "HTTP 429; the upstream asked to wait 1h (Retry-After), which runs past the next scheduled poll")
            #expect(!error.isRetryable)
        }
        #expect(tooLong.made == 1)
        #expect(clock.now() == Self.start + 30)  // no time passed: no wait was started

        // A 5xx whose Retry-After runs past the next poll also ends as rate_limited: the upstream asked us to back off.
        let serverBusy = Attempts([CollectorError(.upstream, "HTTP 503", isRetryable: true, retryAfter: .seconds(120))])
        let busy = await #expect(throws: CollectorError.self) {
            _ = try await policy.run(clock: clock, deadline: clock.now() + 60) { try serverBusy.attempt() }
        }
        #expect(busy?.reason == .rateLimited)
        #expect(serverBusy.made == 1)
    }

    @Test("final errors are thrown at once; after the last attempt the last error is thrown")
    func finalErrors() async throws {
        let auth = Attempts([CollectorError(.auth, "Invalid service key")])
        do {
            _ = try await policy.run(clock: clock) { try auth.attempt() }
            Issue.record("an auth error was retried to success")
        } catch let error as CollectorError {
            #expect(error.reason == .auth)
        }
        #expect(auth.made == 1)

        let retryNow = CollectorError(.rateLimited, "HTTP 429", isRetryable: true, retryAfter: .zero)
        let exhausted = Attempts(Array(repeating: retryNow, count: 10))
        do {
            _ = try await policy.run(clock: clock, deadline: clock.now() + 60) { try exhausted.attempt() }
            Issue.record("more attempts than allowed")
        } catch let error as CollectorError {
            #expect(error.message == "HTTP 429")
        }
        #expect(exhausted.made == 4)
    }
}
