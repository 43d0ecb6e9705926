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

    @Test("a request held back by an earlier Retry-After is waited out without counting an attempt; past the next poll it ends the poll")
    func heldBack() async throws {
        let clock = self.clock
        let policy = RetryPolicy(maximumAttempts: 2, initialBackoff: .seconds(1), maximumBackoff: .seconds(1))
        let held = CollectorError(.rateLimited, "no request before X", isRetryable: true, retryAfter: .seconds(20), wasHeldBack: true)
        let failure = CollectorError(.upstream, "HTTP 502", isRetryable: true)
        // Two holds and one failure, then success: with 2 attempts allowed, only the failure counts.
        let attempts = Attempts([held, held, failure])
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask { try await policy.run(clock: clock, deadline: Self.start + 600) { try attempts.attempt() } }
            try await clock.waitForSleepers(1)
            #expect(clock.sleepingUntil == [Self.start + 20])
            clock.advance(by: 20)
            try await clock.waitForSleepers(1)
            clock.advance(by: 20)
            try await clock.waitForSleepers(1)
            clock.advance(by: 1)
            #expect(try await group.next() == 4)
        }

        let tooLong = Attempts([CollectorError(.rateLimited, "no request before X", isRetryable: true, retryAfter: .seconds(3600), wasHeldBack: true)]
        )
        let error = await #expect(throws: CollectorError.self) {
            _ = try await policy.run(clock: clock, deadline: clock.now() + 60) { try tooLong.attempt() }
        }
        #expect(error?.reason == .rateLimited)
        #expect(error?.message == "no request before X, which is after the next scheduled poll; nothing was sent")
        #expect(tooLong.made == 1)
    }

    @Test("a query budget counts the queries of its window per scope and says when the oldest leaves it")
    func queryBudget() {
        let pacer = UpstreamPacer()
        let budget = QueryBudget(name: "consumption", limit: 3, window: .seconds(3600))
        for minute in 0..<3 {
            #expect(pacer.reserve(budget, scope: "acme", now: Self.start + Double(minute) * 60) == nil)
        }
        // The fourth within the hour is refused, and nothing is counted for it.
        #expect(pacer.reserve(budget, scope: "acme", now: Self.start + 600) == Self.start + 3600)
        #expect(pacer.queriesSent(budget, scope: "acme", now: Self.start + 600) == 3)
        // Another team has its own budget.
        #expect(pacer.reserve(budget, scope: "globex", now: Self.start + 600) == nil)
        // An hour after the first, one query is free again.
        #expect(pacer.reserve(budget, scope: "acme", now: Self.start + 3600) == nil)
        #expect(pacer.reserve(budget, scope: "acme", now: Self.start + 3601) == Self.start + 3660)
    }

    @Test("a Retry-After promise is kept per scope and endpoint, and only ever extended")
    func holdBacks() {
        let pacer = UpstreamPacer()
        pacer.holdBack(scope: "acme", endpoint: "https://x/api/v1/A", until: Self.start + 30)
        pacer.holdBack(scope: "acme", endpoint: "https://x/api/v1/A", until: Self.start + 10)
        pacer.holdBack(scope: "acme", endpoint: "https://x/api/v1/A", until: .infinity)
        #expect(pacer.heldBack(scope: "acme", endpoint: "https://x/api/v1/A", now: Self.start) == Self.start + 30)
        #expect(pacer.heldBack(scope: "acme", endpoint: "https://x/api/v1/B", now: Self.start) == nil)
        #expect(pacer.heldBack(scope: "globex", endpoint: "https://x/api/v1/A", now: Self.start) == nil)
        #expect(pacer.heldBack(scope: "acme", endpoint: "https://x/api/v1/A", now: Self.start + 30) == nil)
    }

    @Test("the state file: what is still in force is written and read back; expired entries and a foreign file are not")
    func stateFile() async throws {
        let directory = TemporaryDirectory()
        let path = directory.file("state.json")
        let budget = QueryBudget(name: "consumption", limit: 10, window: .seconds(3600))
        let pacer = UpstreamPacer(stateFile: path)
        #expect(pacer.reserve(budget, scope: "acme", now: Self.start - 4000) == nil)
        #expect(pacer.reserve(budget, scope: "acme", now: Self.start - 100) == nil)
        pacer.holdBack(scope: "acme", endpoint: "https://x/api/v1/A", until: Self.start + 30)
        pacer.holdBack(scope: "acme", endpoint: "https://x/api/v1/B", until: Self.start - 1)
        try await pacer.write(now: Self.start)

        let restarted = UpstreamPacer(stateFile: path)
        try await restarted.restore(now: Self.start + 10)
        #expect(restarted.queriesSent(budget, scope: "acme", now: Self.start + 10) == 1)
        #expect(restarted.heldBack(scope: "acme", endpoint: "https://x/api/v1/A", now: Self.start + 10) == Self.start + 30)
        #expect(restarted.heldBack(scope: "acme", endpoint: "https://x/api/v1/B", now: Self.start - 10) == nil)
        // Without a file there is nothing to read: a first start.
        try await UpstreamPacer(stateFile: directory.file("absent.json")).restore(now: Self.start)

        let foreign = directory.write("foreign.json", "{\"version\": \"one\"}")
        await #expect(throws: UpstreamPacer.StateFileError.self) { try await UpstreamPacer(stateFile: foreign).restore(now: Self.start) }
        let unwritable = UpstreamPacer(stateFile: directory.file("missing-directory/state.json"))
        let error = await #expect(throws: UpstreamPacer.StateFileError.self) { try await unwritable.write(now: Self.start) }
        #expect(error?.description.hasPrefix("--state.file: cannot write") == true)
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
