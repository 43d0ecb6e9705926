/// Why a backfill stopped, with what to do about it. Answers fetched before the failure stay cached, so a run
/// with the same flags resumes.
public enum BackfillError: Error, Sendable, CustomStringConvertible {
    /// The configuration has no source with a past.
    case nothingToBackfill
    /// The live walk found no complete Google report now, so the lag cannot be observed.
    case lagNotObserved(source: SourceID, error: CollectorError)
    /// An upstream request failed for good (after the retries the live collectors make).
    case upstream(source: SourceID, date: String?, error: CollectorError)
    /// A file of the output directory could not be written.
    case output(path: String, reason: String)

    public var description: String {
        switch self {
        case .nothingToBackfill:
            return
                "nothing to backfill: the configuration has no google_workspace customer and no windsurf team with analytics: true (the user page, credit balance and last-usage families describe only the present)"
        case .lagNotObserved(let source, let error):
            return
                "\(source): cannot observe the reporting lag (\(error)); pass --backfill.google-lag (e.g. 2d) to say how long after its date a report is available"
        case .upstream(let source, let date, let error):
            let when = date.map { " for \($0)" } ?? ""
            return "\(source)\(when): \(error); the answers fetched so far are cached: run the same command again to resume"
        case .output(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
