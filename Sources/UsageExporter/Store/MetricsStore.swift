import Synchronization

/// The exporter's shared state: the latest snapshot and poll status of every source, and the merged
/// exposition plan that `/metrics` writes. Collectors publish into it; scrapes only read it.
///
/// Only the current run of a source (see ``PollRun``) may change its data or status: ``install(runs:maxStale:dropSnapshots:)``
/// replaces the runs, the sources and, when privacy settings change, all data in one step, so no poll that
/// started before a reload can publish after it.
public final class MetricsStore: Sendable {
    struct State {
        var sources: [SourceID] = []
        /// The generation of the run allowed to publish, per source.
        var runs: [SourceID: Int] = [:]
        var snapshots: [SourceID: SourceSnapshot] = [:]
        var statuses: [SourceID: CollectorStatus] = [:]
        var plan = ExpositionPlan.empty
        /// A source failing longer than this has its snapshot dropped.
        var maxStale: Double

        func isCurrent(_ run: PollRun) -> Bool { runs[run.source] == run.generation }
    }

    private let state: Mutex<State>
    /// The time scrapes are rendered for when the caller gives none.
    let clock: any ExporterClock

    public init(maxStale: Duration = .seconds(86_400), clock: any ExporterClock = SystemClock()) {
        state = Mutex(State(maxStale: maxStale.seconds))
        self.clock = clock
    }

    /// Sets the sources (in the order their families are merged) and the run allowed to publish for each.
    /// Data and status of sources no longer listed are dropped; those of sources still listed are kept, unless
    /// `dropSnapshots` (new privacy settings must not leave series made under the old ones on show).
    public func install(runs: [PollRun], maxStale: Duration, dropSnapshots: Bool = false) {
        state.withLock { state in
            state.sources = runs.map(\.source)
            state.runs = Dictionary(runs.map { ($0.source, $0.generation) }, uniquingKeysWith: { _, last in last })
            state.maxStale = maxStale.seconds
            let kept = Set(state.sources)
            if dropSnapshots {
                state.snapshots.removeAll()
            } else {
                state.snapshots = state.snapshots.filter { kept.contains($0.key) }
            }
            state.statuses = state.statuses.filter { kept.contains($0.key) }
            for source in state.sources where state.statuses[source] == nil {
                state.statuses[source] = CollectorStatus()
            }
            Self.rebuildPlan(&state)
        }
    }

    /// Replaces a source's data after a successful poll of its current run; returns false (and changes
    /// nothing) when `run` is not current. The snapshot, the merged plan and the success status change in one
    /// step, so a scrape never sees the success without its data; merging references the snapshots' text and
    /// copies none of it. The work a gzip scrape would otherwise wait for is done on the publishing task,
    /// outside the lock: the snapshot's large families are compressed before the plan changes, and the new
    /// plan's bodies (buffers to send, spans of gzip pieces) are prepared right after.
    @discardableResult
    public func publish(_ snapshot: SourceSnapshot, for run: PollRun, duration: Double) -> Bool {
        snapshot.compressLargeFamilies()
        let plan: ExpositionPlan? = state.withLock { state in
            guard state.isCurrent(run) else { return nil }
            state.snapshots[run.source] = snapshot
            Self.rebuildPlan(&state)
            state.statuses[run.source, default: CollectorStatus()].recordSuccess(at: snapshot.completedAt, duration: duration)
            return state.plan
        }
        guard let plan else { return false }
        plan.prepare()
        return true
    }

    /// Records a failed poll of the current run; the source's last good data stays until it has been failing
    /// for `max_stale`.
    public func recordFailure(_ error: CollectorError, for run: PollRun, at time: Double, duration: Double) {
        state.withLock { state in
            guard state.isCurrent(run) else { return }
            state.statuses[run.source, default: CollectorStatus()].recordFailure(error, at: time, duration: duration)
        }
    }

    /// Counts one upstream HTTP request by its status code (`error` when there was none). Requests of any run
    /// of a configured source count: they were sent.
    public func recordRequest(_ code: String, for source: SourceID) {
        state.withLock { state in
            state.statuses[source]?.requests[code, default: 0] += 1
        }
    }

    /// Records that a `Retry-After` or a query budget holds the source's requests back until `time` (the
    /// later instant is kept). Any run of a configured source may: the promise is the source's.
    public func recordHoldBack(until time: Double, for source: SourceID) {
        state.withLock { state in
            guard let status = state.statuses[source] else { return }
            state.statuses[source]?.heldBackUntil = max(status.heldBackUntil ?? time, time)
        }
    }

    public func recordNextPoll(at time: Double, for run: PollRun) {
        state.withLock { state in
            guard state.isCurrent(run) else { return }
            state.statuses[run.source]?.nextPollTime = time
        }
    }

    /// The plan to write for a scrape at `now` (default: the store's clock), without the series of sources
    /// that have been failing longer than `max_stale`.
    public func plan(now: Double? = nil) -> ExpositionPlan {
        scrapeView(now: now).plan
    }

    /// The plan and the statuses of one scrape, read together so that a scrape never shows a poll's
    /// success without its data.
    public func scrapeView(now: Double? = nil) -> (plan: ExpositionPlan, statuses: [(source: SourceID, status: CollectorStatus)]) {
        let now = now ?? clock.now()
        return state.withLock { state in
            let stale = state.snapshots.keys.filter { source in
                guard let since = state.statuses[source]?.failingSince else { return false }
                return now - since > state.maxStale
            }
            if !stale.isEmpty {
                for source in stale { state.snapshots[source] = nil }
                Self.rebuildPlan(&state)
            }
            return (state.plan, Self.statuses(state))
        }
    }

    /// Every source with its status, in configured order.
    public var statuses: [(source: SourceID, status: CollectorStatus)] {
        state.withLock { Self.statuses($0) }
    }

    private static func statuses(_ state: State) -> [(source: SourceID, status: CollectorStatus)] {
        state.sources.map { ($0, state.statuses[$0] ?? CollectorStatus()) }
    }

    /// True once every source has finished its first poll, successful or not.
    public var isReady: Bool {
        state.withLock { state in state.sources.allSatisfy { state.statuses[$0]?.lastPollSucceeded != nil } }
    }

    private static func families(_ state: State) -> [FamilySamples] {
        state.sources.flatMap { state.snapshots[$0]?.families ?? [] }
    }

    private static func rebuildPlan(_ state: inout State) {
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
