import Synchronization
import UsageExporter

/// A source whose polls a test scripts, for unit tests of the poll lifecycle (like the mock services of
/// swift-service-lifecycle's tests): each poll calls `answer` with its number, 1 first.
final class ScriptedPoller: SourcePoller {
    let id: SourceID
    let interval: Duration
    /// Pollers with the same `settings` poll the same way (a reload keeps their loop).
    let settings: Int
    private let answer: @Sendable (Int, PollContext) async throws -> [FamilySamples]
    private let polls = Mutex(0)
    private let finished = Mutex(0)

    init(
        _ source: String,
        interval: Duration = .seconds(60),
        settings: Int = 1,
        answer: @escaping @Sendable (Int, PollContext) async throws -> [FamilySamples]
    ) {
        self.id = SourceID(.windsurf, source)
        self.interval = interval
        self.settings = settings
        self.answer = answer
    }

    var pollCount: Int { polls.withLock { $0 } }

    /// How many polls have returned or thrown; the collector publishes or records the outcome right after.
    var finishedCount: Int { finished.withLock { $0 } }

    func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let number = polls.withLock { polls in
            polls += 1
            return polls
        }
        defer { finished.withLock { $0 += 1 } }
        return try await answer(number, context)
    }

    func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? ScriptedPoller else { return false }
        return other.id == id && other.settings == settings && other.interval == interval
    }

    /// One family `test_value{source,email}` with `value`.
    static func families(source: String, email: String = "someone@example.com", value: Double) -> [FamilySamples] {
        var builder = FixedSamplesBuilder(MetricFamily("test_value", help: "A scripted value."))
        builder.add(LabelSet([("source", source), ("email", email)]), value)
        return [builder.build()].compactMap { $0 }
    }
}

/// A one-shot signal a scripted poll can wait for.
final class Gate: Sendable {
    private struct State {
        var isOpen = false
        var waiting = 0
        var parked: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// How many polls wait at the gate now.
    var waitingCount: Int { state.withLock { $0.waiting } }

    /// Waits until opened; throws `CancellationError` if the task is cancelled first.
    func wait() async throws {
        state.withLock { $0.waiting += 1 }
        defer { state.withLock { $0.waiting -= 1 } }
        while !state.withLock({ $0.isOpen }) {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until opened, ignoring cancellation: a poll whose answer arrives however late.
    func waitIgnoringCancellation() async {
        state.withLock { $0.waiting += 1 }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isOpen = state.withLock { state in
                if !state.isOpen { state.parked.append(continuation) }
                return state.isOpen
            }
            if isOpen { continuation.resume() }
        }
        state.withLock { $0.waiting -= 1 }
    }

    func open() {
        let parked = state.withLock { state in
            state.isOpen = true
            defer { state.parked = [] }
            return state.parked
        }
        for continuation in parked { continuation.resume() }
    }
}
