import Synchronization

/// The counters of a running backfill, and the progress line made from them: dates done of total, requests
/// sent, windows and samples written, and the time left at the rate so far.
public final class BackfillProgress: Sendable {
    struct State {
        var answersTotal = 0
        var answersDone = 0
        var answersFromCache = 0
        var requests = 0
        var windowsTotal = 0
        var windowsDone = 0
        var samplesWritten = 0
        var fetchStarted: Double?
        var writeStarted: Double?
    }

    private let state = Mutex(State())

    public init() {}

    public var requests: Int { state.withLock { $0.requests } }
    public var answersFromCache: Int { state.withLock { $0.answersFromCache } }

    func countRequest() { state.withLock { $0.requests += 1 } }

    func startFetching(total: Int, fromCache: Int, at time: Double) {
        state.withLock { state in
            state.answersTotal = total
            state.answersDone = fromCache
            state.answersFromCache = fromCache
            state.fetchStarted = time
        }
    }

    func countAnswer() { state.withLock { $0.answersDone += 1 } }

    func startWriting(windows: Int, at time: Double) {
        state.withLock { state in
            state.windowsTotal = windows
            state.writeStarted = time
        }
    }

    func countWindow(samples: Int) {
        state.withLock { state in
            state.windowsDone += 1
            state.samplesWritten += samples
        }
    }

    /// `backfill: dates 42/120, requests 96, windows 0/5, samples 0 written, ETA 1m20s` (a date of one source: a Google
    /// report date or a Windsurf analytics day).
    func line(at now: Double) -> String {
        state.withLock { state in
            var parts = ["dates \(state.answersDone)/\(state.answersTotal)", "requests \(state.requests)"]
            if state.windowsTotal > 0 {
                parts.append("windows \(state.windowsDone)/\(state.windowsTotal)")
                parts.append("samples \(state.samplesWritten) written")
            }
            var eta: Double?
            if state.writeStarted == nil, let started = state.fetchStarted {
                let fetched = state.answersDone - state.answersFromCache
                let left = state.answersTotal - state.answersDone
                if fetched > 0 { eta = (now - started) / Double(fetched) * Double(left) }
            } else if let started = state.writeStarted, state.windowsDone > 0 {
                eta = (now - started) / Double(state.windowsDone) * Double(state.windowsTotal - state.windowsDone)
            }
            if let eta { parts.append("ETA " + PrometheusDuration.format(.seconds(eta.rounded(.up).clampedToNonNegative))) }
            return "backfill: " + parts.joined(separator: ", ")
        }
    }
}

extension Double {
    fileprivate var clampedToNonNegative: Double { isFinite ? Swift.max(0, Swift.min(self, 365 * 86_400)) : 0 }
}
