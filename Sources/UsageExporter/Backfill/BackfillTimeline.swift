/// Which answer of one source the live exporter serves over the range: consecutive grid instants that serve the
/// same day's answer, oldest first.
struct BackfillTimeline: Sendable, Equatable {
    /// Grid instants `first` to `last` (inclusive) serve the answer of `day`.
    struct Run: Sendable, Equatable {
        var first: Int
        var last: Int
        let day: Int
    }

    let runs: [Run]

    /// Evaluates `schedule` at every grid instant of `options`. When no answer is available (a poll that would
    /// have failed), the last one served stays, as the live exporter keeps its last good data, for `maxStale`.
    init(schedule: any BackfillSchedule, options: BackfillOptions, maxStale: Int, completeness: (Int) -> BackfillAnswer.Completeness?) {
        var runs: [Run] = []
        var served: Int?
        var failingSince: Int?
        for instant in stride(from: options.start, through: options.end, by: options.step) {
            if let day = schedule.selection(at: instant, completeness: completeness) {
                served = day
                failingSince = nil
            } else {
                let since = failingSince ?? instant
                failingSince = since
                if instant - since > maxStale { served = nil }
            }
            guard let day = served else { continue }
            if let last = runs.last, last.day == day, last.last + options.step == instant {
                runs[runs.count - 1].last = instant
            } else {
                runs.append(Run(first: instant, last: instant, day: day))
            }
        }
        self.runs = runs
    }

    /// The runs within `window`, clipped to its instants.
    func runs(in window: BackfillWindow) -> [Run] {
        runs.compactMap { run in
            let first = max(run.first, window.firstInstant)
            let last = min(run.last, window.lastInstant)
            return first <= last ? Run(first: first, last: last, day: run.day) : nil
        }
    }
}
