import Logging

/// A source whose past the upstream keeps: it says which answers a range needs and, for every instant, which
/// of them the live exporter would have been serving then.
///
/// Answers are keyed by a day number: a Google report date (US Pacific) or, for the Windsurf analytics, the
/// UTC day whose 00:00 ends the windows.
protocol BackfillHistory: Sendable {
    var id: SourceID { get }
    /// Everything that shapes the source's families, apart from secrets: answers cached under another
    /// identity are never reused.
    var cacheIdentity: String { get }
    /// Decides what to fetch; may ask the upstream (the Google lag is observed by asking as the live exporter does).
    func prepare(_ context: BackfillContext) async throws -> any BackfillSchedule
}

/// A source's plan for one range: the days to fetch, how to fetch one, and which one is live at an instant.
protocol BackfillSchedule: Sendable {
    /// Every day whose answer the range needs, oldest first.
    var days: [Int] { get }
    /// Answers fetched while preparing (the newest Google date, read by the live walk), not to be asked again.
    var prepared: [Int: BackfillAnswer] { get }
    /// Facts for the manifest and the log (the lag used).
    var facts: [String: String] { get }
    /// The answer for `day`, or nil when the upstream has none (not yet available, or before its retention).
    func fetch(day: Int, context: BackfillContext) async throws -> BackfillAnswer?
    /// The day the live exporter would serve at `instant` (Unix seconds), given how complete each fetched day
    /// is (nil: no answer); nil when its poll would have failed then.
    func selection(at instant: Int, completeness: (Int) -> BackfillAnswer.Completeness?) -> Int?
    /// `yyyy-mm-dd` of a day, for cache file names and messages.
    func dateText(_ day: Int) -> String
}

/// What a backfill's sources share: the upstream client, the retry policy, the run's settings and counters.
struct BackfillContext: Sendable {
    let client: UpstreamClient
    let retryPolicy: RetryPolicy
    let clock: any ExporterClock
    let logger: Logger
    let options: BackfillOptions
    /// When the run started (Unix seconds): the "now" of the live walk and of the user page.
    let now: Double
    let progress: BackfillProgress
    /// Keeps every `Retry-After` as a promise over the run's concurrent requests, as the collectors keep them
    /// across polls: once an endpoint of a source asked to wait, none of that source's requests to it leaves earlier.
    let pacer = UpstreamPacer()

    /// A poll context as the collectors get one, without a next poll (no schedule to keep: a `Retry-After`
    /// is waited out, up to the client's one-hour cap), paced, counting requests in the progress.
    func pollContext(for source: SourceID) -> PollContext {
        var logger = self.logger
        logger[metadataKey: "collector"] = "\(source.collector.rawValue)"
        logger[metadataKey: "source"] = "\(source.source)"
        let progress = self.progress
        return PollContext(
            client: client.paced(by: pacer, scope: source.source),
            retryPolicy: retryPolicy,
            clock: clock,
            nextPollTime: nil,
            logger: logger,
            recordRequest: { _ in progress.countRequest() }
        )
    }
}
