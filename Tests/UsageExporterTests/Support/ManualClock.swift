import Synchronization
import UsageExporter

/// A clock that moves only when a test advances it, as Hummingbird's tests use: sleepers resume when the
/// time reaches their deadline, so schedules, retry waits and staleness are tested without sleeping.
final class ManualClock: ExporterClock {
    private enum Sleeper {
        /// Decided to sleep, not yet suspended.
        case pending(deadline: Double)
        case suspended(deadline: Double, CheckedContinuation<Void, any Error>)
        /// Cancelled before it suspended.
        case cancelled
    }

    private struct State {
        var now: Double
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>

    init(now: Double = 1_800_000_000) {
        state = Mutex(State(now: now))
    }

    func now() -> Double { state.withLock { $0.now } }

    func sleep(until deadline: Double) async throws {
        let id = state.withLock { state -> Int? in
            guard deadline > state.now else { return nil }
            state.nextID += 1
            state.sleepers[state.nextID] = .pending(deadline: deadline)
            return state.nextID
        }
        guard let id else {
            try Task.checkCancellation()
            return
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLock { state -> Result<Void, any Error>? in
                    switch state.sleepers[id] {
                    case .pending(let deadline)?:
                        if deadline <= state.now {
                            state.sleepers[id] = nil
                            return .success(())
                        }
                        state.sleepers[id] = .suspended(deadline: deadline, continuation)
                        return nil
                    case .cancelled?, .suspended?, nil:
                        state.sleepers[id] = nil
                        return .failure(CancellationError())
                    }
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                switch state.sleepers[id] {
                case .pending?:
                    state.sleepers[id] = .cancelled
                    return nil
                case .suspended(_, let continuation)?:
                    state.sleepers[id] = nil
                    return continuation
                case .cancelled?, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Moves the time forward and wakes every sleeper whose deadline has come.
    func advance(by seconds: Double) {
        let due = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
            state.now += seconds
            var due: [CheckedContinuation<Void, any Error>] = []
            for (id, sleeper) in state.sleepers {
                if case .suspended(let deadline, let continuation) = sleeper, deadline <= state.now {
                    due.append(continuation)
                    state.sleepers[id] = nil
                }
            }
            return due
        }
        for continuation in due { continuation.resume() }
    }

    /// How many tasks are sleeping now.
    var sleeperCount: Int {
        state.withLock { $0.sleepers.values.filter { if case .suspended = $0 { true } else { false } }.count }
    }

    /// The deadlines of the sleeping tasks, earliest first.
    var sleepingUntil: [Double] {
        state.withLock { state in
            state.sleepers.values.compactMap { if case .suspended(let deadline, _) = $0 { deadline } else { nil } }.sorted()
        }
    }

    /// Waits until at least `count` tasks sleep on this clock.
    func waitForSleepers(_ count: Int) async throws {
        try await waitUntil("\(count) sleeper(s) on the manual clock") { sleeperCount >= count }
    }
}
