import Synchronization

/// The exporter's shared state: the latest snapshot and poll status of every source, and the merged
/// exposition plan that `/metrics` writes. Collectors publish into it; scrapes only read it.
public final class MetricsStore: Sendable {
    struct State {
        var sources: [SourceID] = []
        var snapshots: [SourceID: SourceSnapshot] = [:]
        var statuses: [SourceID: CollectorStatus] = [:]
        var plan = ExpositionPlan.empty
    }

    private let state = Mutex(State())

    public init() {}

    /// Sets the sources in the order their families are merged; data of sources no longer listed is dropped.
    public func setSources(_ sources: [SourceID]) {
        state.withLock { state in
            state.sources = sources
            let kept = Set(sources)
            state.snapshots = state.snapshots.filter { kept.contains($0.key) }
            state.statuses = state.statuses.filter { kept.contains($0.key) }
            for source in sources where state.statuses[source] == nil {
                state.statuses[source] = CollectorStatus()
            }
            state.plan = Self.makePlan(state)
        }
    }

    /// Replaces a source's data after a successful poll.
    public func publish(_ snapshot: SourceSnapshot, for source: SourceID, duration: Double) {
        state.withLock { state in
            guard state.sources.contains(source) else { return }
            state.snapshots[source] = snapshot
            state.statuses[source, default: CollectorStatus()].recordSuccess(at: snapshot.completedAt, duration: duration)
            state.plan = Self.makePlan(state)
        }
    }

    /// Records a failed poll; the source's last good data stays.
    public func recordFailure(_ error: CollectorError, for source: SourceID, at time: Double, duration: Double) {
        state.withLock { state in
            guard state.sources.contains(source) else { return }
            state.statuses[source, default: CollectorStatus()].recordFailure(error, at: time, duration: duration)
        }
    }

    /// Counts one upstream HTTP request by its status code (`error` when there was none).
    public func recordRequest(_ code: String, for source: SourceID) {
        state.withLock { state in
            state.statuses[source]?.requests[code, default: 0] += 1
        }
    }

    public func recordNextPoll(at time: Double, for source: SourceID) {
        state.withLock { state in
            state.statuses[source]?.nextPollTime = time
        }
    }

    /// The plan to write for a scrape.
    public var plan: ExpositionPlan {
        state.withLock { $0.plan }
    }

    /// Every source with its status, in configured order.
    public var statuses: [(source: SourceID, status: CollectorStatus)] {
        state.withLock { state in state.sources.map { ($0, state.statuses[$0] ?? CollectorStatus()) } }
    }

    /// True once every source has finished its first poll, successful or not.
    public var isReady: Bool {
        state.withLock { state in state.sources.allSatisfy { state.statuses[$0]?.lastPollSucceeded != nil } }
    }

    private static func makePlan(_ state: State) -> ExpositionPlan {
        ExpositionPlan(families: state.sources.flatMap { state.snapshots[$0]?.families ?? [] })
    }
}

extension CollectorStatus {
    mutating func recordSuccess(at time: Double, duration: Double) {
        lastPollSucceeded = true
        lastSuccessTime = time
        lastPollDuration = duration
        failingSince = nil
    }

    mutating func recordFailure(_ error: CollectorError, at time: Double, duration: Double) {
        lastPollSucceeded = false
        lastPollDuration = duration
        lastError = error.description
        lastErrorTime = time
        errors[error.reason, default: 0] += 1
        if failingSince == nil { failingSince = time }
    }
}
