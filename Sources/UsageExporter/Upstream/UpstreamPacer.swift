import Foundation
import Logging
import NIOPosix
import Synchronization

/// The exporter's promises to its upstreams, kept across polls and reloads (it lives as long as the
/// collector service): after an error answer with `Retry-After`, no request of the same source leaves for
/// that endpoint before the instant the header named; and an endpoint with a query budget (the Devin
/// Desktop consumption API allows 10 queries an hour per team) never gets more queries than it allows.
///
/// Both are keyed by scope (the source's `team` or `customer` name: each has its own credentials, and so
/// its own limits) and endpoint (scheme, host, port and path; or a budget's name). Instants are Unix
/// seconds on the clock of the client that asks.
///
/// With a state file (`--state.file`), the promises outlive the process too: the file is read at start
/// (``restore()``) and rewritten after each change (``persist()``, at most a few times an hour per team), so
/// that a restart within the hour neither asks again before a `Retry-After` ends nor sends an 11th query.
/// It holds source names, endpoint URLs without query and times; no secret.
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
        /// The window of each budget, for the state file.
        var windows: [Key: Double] = [:]
    }

    private let state = Mutex(State())
    /// Where the state is kept across restarts; nil keeps it in memory only.
    public let stateFile: String?
    /// Held while the file is written, so that writes land in the order their contents were taken.
    private let fileLock = Mutex(())
    let logger: Logger

    public init(stateFile: String? = nil, logger: Logger = Logger(label: "usage-exporter")) {
        self.stateFile = stateFile
        self.logger = logger
    }

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
            state.windows[key] = window
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

extension UpstreamPacer {
    /// What the state file holds.
    struct Snapshot: Codable, Equatable {
        struct Queries: Codable, Equatable {
            let scope: String
            let budget: String
            let window: Double
            let sent: [Double]
        }
        struct Hold: Codable, Equatable {
            let scope: String
            let endpoint: String
            let until: Double
        }
        var version = 1
        var queries: [Queries] = []
        var holds: [Hold] = []
    }

    /// The state still in force at `now`, in a stable order.
    func snapshot(now: Double) -> Snapshot {
        state.withLock { state in
            var snapshot = Snapshot()
            for (key, sent) in state.queries {
                let window = state.windows[key] ?? 3600
                let recent = sent.filter { $0 > now - window }
                if !recent.isEmpty {
                    snapshot.queries.append(.init(scope: key.scope, budget: key.endpoint, window: window, sent: recent))
                }
            }
            for (key, until) in state.holds where until > now {
                snapshot.holds.append(.init(scope: key.scope, endpoint: key.endpoint, until: until))
            }
            snapshot.queries.sort { ($0.scope, $0.budget) < ($1.scope, $1.budget) }
            snapshot.holds.sort { ($0.scope, $0.endpoint) < ($1.scope, $1.endpoint) }
            return snapshot
        }
    }

    /// Adds what `snapshot` holds that is still in force at `now` (bounded: an hour of queries, holds of an hour).
    func merge(_ snapshot: Snapshot, now: Double) {
        state.withLock { state in
            for queries in snapshot.queries where queries.window.isFinite && queries.window > 0 {
                let window = min(queries.window, 86_400)
                let key = Key(scope: queries.scope, endpoint: queries.budget)
                let sent = queries.sent.filter { $0.isFinite && $0 > now - window && $0 <= now + 60 }.prefix(10_000)
                state.queries[key] = (state.queries[key, default: []] + sent).sorted()
                state.windows[key] = window
            }
            for hold in snapshot.holds where hold.until.isFinite && hold.until > now {
                let key = Key(scope: hold.scope, endpoint: hold.endpoint)
                state.holds[key] = max(state.holds[key] ?? -.infinity, min(hold.until, now + RetryAfter.maximum.seconds))
            }
        }
    }

    /// A state file that cannot be read, parsed or written.
    public struct StateFileError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the state file, if there is one and it exists; a file that is not the pacer's JSON throws.
    public func restore(now: Double) async throws {
        guard let stateFile else { return }
        let snapshot = try await NIOThreadPool.singleton.runIfActive { () throws -> Snapshot? in
            guard FileManager.default.fileExists(atPath: stateFile) else { return nil }
            let text: String
            do {
                text = try SecretFile.contents(of: stateFile)
            } catch {
                throw StateFileError(description: "--state.file: \(error)")
            }
            do {
                return try JSONDecoder().decode(Snapshot.self, from: Data(text.utf8))
            } catch {
                throw StateFileError(
                    description: "--state.file: \"\(stateFile)\" is not a state file of usage-exporter (\(DecodingErrorDescription.describe(error)))"
                )
            }
        }
        if let snapshot { merge(snapshot, now: now) }
    }

    /// Writes the state to the state file, if there is one; a failure is logged (the promises stay in memory).
    public func persist(now: Double) async {
        do {
            try await write(now: now)
        } catch {
            logger.warning(
                "could not write the state file; a restart will not know the last hour's queries and waits",
                metadata: ["error": "\(error)"]
            )
        }
    }

    /// Writes the state to the state file now, or throws why it cannot.
    public func write(now: Double) async throws {
        guard let stateFile else { return }
        try await NIOThreadPool.singleton.runIfActive {
            try self.fileLock.withLock { _ in
                // Taken under the file's lock: the last write holds the newest state.
                let data = try JSONEncoder().encode(self.snapshot(now: now))
                do {
                    try data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
                } catch {
                    throw StateFileError(description: "--state.file: cannot write \"\(stateFile)\": \((error as NSError).localizedDescription)")
                }
            }
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
