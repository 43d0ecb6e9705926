import Synchronization

/// The exporter's shared state: the latest snapshot and poll status of every source, and the merged
/// exposition plan that `/metrics` writes. Collectors publish into it; scrapes only read it.
public final class MetricsStore: Sendable {
    struct State {
        var sources: [SourceID] = []
        var snapshots: [SourceID: SourceSnapshot] = [:]
        var statuses: [SourceID: CollectorStatus] = [:]
        var plan = ExpositionPlan.empty
        /// Counts changes of `snapshots`, so a plan built outside the lock is installed only if still current.
        var generation = 0
        /// A source failing longer than this has its snapshot dropped.
        var maxStale: Double
    }

    private let state: Mutex<State>

    public init(maxStale: Duration = .seconds(86_400)) {
        state = Mutex(State(maxStale: maxStale.seconds))
    }

    /// Sets the sources in the order their families are merged; data of sources no longer listed is dropped,
    /// data of sources still listed is kept.
    public func setSources(_ sources: [SourceID], maxStale: Duration) {
        state.withLock { state in
            state.sources = sources
            state.maxStale = maxStale.seconds
            let kept = Set(sources)
            state.snapshots = state.snapshots.filter { kept.contains($0.key) }
            state.statuses = state.statuses.filter { kept.contains($0.key) }
            for source in sources where state.statuses[source] == nil {
                state.statuses[source] = CollectorStatus()
            }
            Self.rebuildPlan(&state)
        }
    }

    /// Forgets every source's data (their statuses stay), until each source's next successful poll.
    public func dropAllSnapshots() {
        state.withLock { state in
            state.snapshots.removeAll()
            Self.rebuildPlan(&state)
        }
    }

    /// Replaces a source's data after a successful poll. The plan is merged outside the lock, so scrapes
    /// are not held up, and then its gzip form is prepared on the publishing task.
    public func publish(_ snapshot: SourceSnapshot, for source: SourceID, duration: Double) {
        let pending: (generation: Int, families: [FamilySamples])? = state.withLock { state in
            guard state.sources.contains(source) else { return nil }
            state.snapshots[source] = snapshot
            state.generation += 1
            return (state.generation, Self.families(state))
        }
        guard let pending else { return }
        let plan = ExpositionPlan(families: pending.families)
        let installed = state.withLock { state in
            // The poll counts as a success once its data can be scraped, not before.
            state.statuses[source, default: CollectorStatus()].recordSuccess(at: snapshot.completedAt, duration: duration)
            guard state.generation == pending.generation else { return false }  // a newer publish installs its own plan
            state.plan = plan
            return true
        }
        if installed { plan.prepareCompressed() }
    }

    /// Records a failed poll; the source's last good data stays until it has been failing for `max_stale`.
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

    /// The plan to write for a scrape at `now`, without the series of sources that have been failing longer
    /// than `max_stale`.
    public func plan(now: Double) -> ExpositionPlan {
        state.withLock { state in
            let stale = state.snapshots.keys.filter { source in
                guard let since = state.statuses[source]?.failingSince else { return false }
                return now - since > state.maxStale
            }
            if !stale.isEmpty {
                for source in stale { state.snapshots[source] = nil }
                Self.rebuildPlan(&state)
            }
            return state.plan
        }
    }

    /// Every source with its status, in configured order.
    public var statuses: [(source: SourceID, status: CollectorStatus)] {
        state.withLock { state in state.sources.map { ($0, state.statuses[$0] ?? CollectorStatus()) } }
    }

    /// True once every source has finished its first poll, successful or not.
    public var isReady: Bool {
        state.withLock { state in state.sources.allSatisfy { state.statuses[$0]?.lastPollSucceeded != nil } }
    }

    private static func families(_ state: State) -> [FamilySamples] {
        state.sources.flatMap { state.snapshots[$0]?.families ?? [] }
    }

    private static func rebuildPlan(_ state: inout State) {
        state.generation += 1
        state.plan = ExpositionPlan(families: families(state))
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
