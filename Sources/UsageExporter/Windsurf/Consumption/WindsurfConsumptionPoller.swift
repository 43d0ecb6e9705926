import Synchronization

/// Polls one team's consumption (collector `windsurf_consumption`) every `consumption_interval`: one query,
/// `granularity=daily&group_by=user,model_uid` over the days of the longest of `analytics_windows`, every page
/// followed, summed locally into each window.
///
/// The query counts against the team's 10 queries an hour (the client's ``QueryBudget`` never lets an 11th
/// leave); its pages do not. The first page is sent with the `ETag` of the last answer to the same query:
/// a 304 keeps that answer and is a success. A page cursor the API refuses (expired, or unknown) starts the
/// query again once per poll; a cursor that comes back a second time, or more than ``maximumPages`` pages,
/// ends the poll (reason `upstream`), so that a looping upstream cannot keep a poll running forever.
public struct WindsurfConsumptionPoller: SourcePoller {
    public let team: WindsurfTeamConfiguration
    let builder: WindsurfConsumptionSnapshotBuilder
    /// The families of the last answer and its `ETag`, for `If-None-Match`.
    let lastAnswer = LastAnswer()

    /// More pages than this end the poll: at 10,000 rows a page, 10 million rows.
    public static let maximumPages = 1_000

    public init(team: WindsurfTeamConfiguration, builder: WindsurfConsumptionSnapshotBuilder) {
        self.team = team
        self.builder = builder
    }

    public var id: SourceID { SourceID(.windsurfConsumption, team.name) }
    public var interval: Duration { team.consumptionInterval }

    /// Compares only the keys this collector reads, so a reload that changes another collector's keeps this loop
    /// (and its `ETag`).
    public func hasSameSettings(as other: any SourcePoller) -> Bool {
        guard let other = other as? Self else { return false }
        return builder == other.builder && team.hasSameConnection(as: other.team) && team.analyticsWindows == other.team.analyticsWindows
            && team.consumptionInterval == other.team.consumptionInterval
    }

    public func poll(_ context: PollContext) async throws -> [FamilySamples] {
        let api = WindsurfAPI(baseURL: team.baseURL, serviceKey: team.serviceKey, timeout: team.timeout, client: context.client)
        let now = context.now()
        let windows = team.analyticsWindows.map { WindsurfAnalyticsWindow(days: $0, now: now) }
        let query = WindsurfAPI.ConsumptionQuery(windows: windows)
        let queryURL = api.consumptionURL(query, cursor: nil)
        let cached = lastAnswer.answer(to: queryURL)
        var restarted = false
        while true {
            var families = builder.accumulator(windows: windows)
            var cursor: String?
            var usedCursors: Set<String> = []
            var pages = 0
            var etag: String?
            paging: while true {
                let what = cursor == nil ? "consumption query \(query.startDate)..\(query.endDate)" : "consumption page \(pages + 1)"
                let answer = try await context.withRetries(what) {
                    try await api.consumption(query, cursor: cursor, ifNoneMatch: cursor == nil ? cached?.etag : nil, record: context.recordRequest)
                }
                switch answer {
                case .notModified:
                    guard let cached else { throw CollectorError(.upstream, "the consumption API answered 304 Not Modified unasked") }
                    context.logger.debug("consumption unchanged (304 Not Modified); keeping the last answer")
                    return cached.families
                case .cursorRejected(let message):
                    guard !restarted else {
                        throw CollectorError(
                            .upstream,
                            "the consumption API refused a page cursor it had just returned, twice in one poll (page \(pages + 1): \(message))"
                        )
                    }
                    context.logger.warning(
                        "the consumption API refused a page cursor; starting the query again",
                        metadata: ["page": "\(pages + 1)", "error": "\(message)"]
                    )
                    restarted = true
                    break paging
                case .page(let page, let pageETag):
                    if cursor == nil { etag = pageETag }
                    families.add(page)
                    pages += 1
                    guard let next = page.nextPageCursor else {
                        return finish(families, url: queryURL, etag: etag, pages: pages, context: context)
                    }
                    if let cursor { usedCursors.insert(cursor) }
                    guard !usedCursors.contains(next) else {
                        throw CollectorError(
                            .upstream,
                            "the consumption API's page \(pages) named the cursor of an earlier page as the next one (a loop); the query was stopped"
                        )
                    }
                    guard pages < Self.maximumPages else {
                        throw CollectorError(.upstream, "the consumption API answered more than \(Self.maximumPages) pages; the query was stopped")
                    }
                    cursor = next
                }
            }
        }
    }

    /// The families of a complete answer, kept with its `ETag` for the next poll's `If-None-Match`.
    private func finish(
        _ families: WindsurfConsumptionSnapshotBuilder.Accumulator,
        url: String,
        etag: String?,
        pages: Int,
        context: PollContext
    ) -> [FamilySamples] {
        let notes = families.notes
        if notes.rowsWithoutDay > 0 {
            context.logger.warning("skipped consumption rows without a readable timestamp", metadata: ["count": "\(notes.rowsWithoutDay)"])
        }
        if notes.rowsOutsideWindows > 0 {
            context.logger.debug("ignored consumption rows dated outside every window", metadata: ["count": "\(notes.rowsOutsideWindows)"])
        }
        if notes.rowsWithoutEmail > 0 {
            context.logger.debug(
                "consumption rows without user_email count in the team's sums only",
                metadata: ["count": "\(notes.rowsWithoutEmail)"]
            )
        }
        let result = families.finish()
        lastAnswer.keep(etag.map { LastAnswer.Entry(url: url, etag: $0, families: result) })
        context.logger.debug("consumption query answered", metadata: ["pages": "\(pages)", "billing_strategy": "\(families.billingStrategy)"])
        return result
    }

    /// The last complete answer of this poller and its `ETag`.
    final class LastAnswer: Sendable {
        struct Entry: Sendable {
            /// The first page's URL: the query, which changes with the day.
            let url: String
            let etag: String
            let families: [FamilySamples]
        }

        private let entry = Mutex<Entry?>(nil)

        /// The entry for the query at `url`, when the last answer was to that query.
        func answer(to url: String) -> Entry? {
            entry.withLock { $0?.url == url ? $0 : nil }
        }

        func keep(_ newEntry: Entry?) {
            entry.withLock { $0 = newEntry }
        }
    }
}
