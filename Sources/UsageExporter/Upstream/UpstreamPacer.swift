import Synchronization

/// The exporter's promises to its upstreams, kept across polls and reloads (it lives as long as the
/// collector service): after an error answer with `Retry-After`, no request of the same source leaves for
/// that endpoint before the instant the header named; and an endpoint with a query budget (the Devin
/// Desktop consumption API allows 10 queries an hour per team) never gets more queries than it allows.
///
/// Both are keyed by scope (the source's `team` or `customer` name: each has its own credentials, and so
/// its own limits) and endpoint (scheme, host, port and path; or a budget's name). Instants are Unix
/// seconds on the clock of the client that asks.
public final class UpstreamPacer: Sendable {
    struct Key: Hashable, Sendable {
        let scope: String
        let endpoint: String
    }

    struct State {
        /// Until when each endpoint is held back.
        var holds: [Key: Double] = [:]
        /// When each budgeted endpoint's queries were sent, oldest first, within the budget's window.
        var queries: [Key: [Double]] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// The instant until which `endpoint` is held back for `scope`, when it is after `now`.
    public func heldBack(scope: String, endpoint: String, now: Double) -> Double? {
        state.withLock { state in
            guard let until = state.holds[Key(scope: scope, endpoint: endpoint)], until > now else { return nil }
            return until
        }
    }

    /// Holds `endpoint` back for `scope` until `until`; an earlier promise that runs longer is kept.
    public func holdBack(scope: String, endpoint: String, until: Double) {
        guard until.isFinite else { return }
        state.withLock { state in
            let key = Key(scope: scope, endpoint: endpoint)
            state.holds[key] = max(state.holds[key] ?? -.infinity, until)
        }
    }

    /// Counts one query of `budget` for `scope` at `now` and returns nil, or, when the budget's window
    /// already holds `limit` queries, counts nothing and returns the instant the oldest of them leaves it.
    public func reserve(_ budget: QueryBudget, scope: String, now: Double) -> Double? {
        state.withLock { state in
            let key = Key(scope: scope, endpoint: budget.name)
            let window = budget.window.seconds
            var sent = state.queries[key, default: []].filter { $0 > now - window }
            defer { state.queries[key] = sent }
            if sent.count >= budget.limit, let oldest = sent.first {
                return oldest + window
            }
            sent.append(now)
            return nil
        }
    }

    /// How many queries of `budget` were sent for `scope` within its window before `now`.
    public func queriesSent(_ budget: QueryBudget, scope: String, now: Double) -> Int {
        state.withLock { state in
            state.queries[Key(scope: scope, endpoint: budget.name), default: []].filter { $0 > now - budget.window.seconds }.count
        }
    }
}

/// A rate limit an upstream documents for one endpoint: at most `limit` queries in any `window`. Follow-up
/// requests that the upstream does not count (the pages of one query) are sent without a budget.
public struct QueryBudget: Sendable, Hashable {
    /// Names the endpoint in the pacer, per scope.
    public let name: String
    public let limit: Int
    public let window: Duration

    public init(name: String, limit: Int, window: Duration) {
        self.name = name
        self.limit = max(1, limit)
        self.window = window
    }
}
