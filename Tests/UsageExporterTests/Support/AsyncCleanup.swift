/// Runs `body`, then awaits `cleanup`, whether `body` returned or threw: an `async` defer, so that a test
/// ends only once what it started (an exporter, a simulator) has stopped.
func withAsyncCleanup<T>(_ body: () async throws -> T, cleanup: () async -> Void) async throws -> T {
    let value: T
    do {
        value = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return value
}

/// Waits until `condition` holds, checking every 10 ms, or fails after `timeout`: tests wait on conditions
/// with generous deadlines, never sleep and then compare.
func waitUntil(_ what: String, timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now > deadline { throw ExporterHarness.HarnessError("timed out waiting for: \(what)") }
        try await Task.sleep(for: .milliseconds(10))
    }
}
