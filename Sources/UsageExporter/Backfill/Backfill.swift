import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// `usage-exporter backfill`: the past of every source that has one, written as Prometheus would have scraped
/// it from the live exporter, one OpenMetrics file per block window.
///
/// A run (1) prepares each source (the Google lag, observed by the live walk; the user page's keys for the
/// per-user analytics), (2) fetches every answer the range needs once, a few at a time, into the cache under
/// the output directory, (3) evaluates, at every grid instant, which answer the live exporter would have served,
/// and (4) writes each block window from the cached answers, one window in memory at a time, each file under a
/// temporary name first. The manifest comes last.
public struct Backfill: Sendable {
    public let configuration: ExporterConfiguration
    public let options: BackfillOptions
    let logger: Logger
    let retryPolicy: RetryPolicy
    let clock: any ExporterClock
    public let progress = BackfillProgress()

    public init(
        configuration: ExporterConfiguration,
        options: BackfillOptions,
        logger: Logger,
        retryPolicy: RetryPolicy = .standard,
        clock: any ExporterClock = SystemClock()
    ) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.retryPolicy = retryPolicy
        self.clock = clock
    }

    /// What a finished run wrote (or, for a dry run, would write).
    public struct Summary: Sendable {
        public let manifest: BackfillManifest
        /// Upstream requests sent, and answers taken from the cache instead.
        public let requests: Int
        public let answersFromCache: Int
    }

    /// The sources with a past, in configuration order.
    func histories() -> [any BackfillHistory] {
        let labeler = EmailLabeler(privacy: configuration.privacy)
        let perUser = options.perUser && configuration.privacy.perUser
        if options.perUser, !configuration.privacy.perUser {
            logger.warning("privacy.per_user is false: --backfill.per-user writes no per-user series")
        }
        var histories: [any BackfillHistory] = []
        for team in configuration.windsurf where team.analytics {
            let builder = WindsurfAnalyticsSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: perUser)
            histories.append(WindsurfAnalyticsHistory(poller: WindsurfAnalyticsPoller(team: team, builder: builder)))
        }
        for customer in configuration.googleWorkspace {
            let tokens = GoogleAccessTokenProvider(key: customer.credentials, subject: customer.subject, timeout: customer.timeout)
            func history(_ report: GoogleReportsAPI.Report) -> GoogleReportHistory {
                GoogleReportHistory(
                    poller: GoogleReportPoller(customer: customer, report: report, tokens: tokens, emailLabeler: labeler, perUser: perUser)
                )
            }
            histories.append(history(.customer))
            if perUser, customer.userReport { histories.append(history(.users)) }
        }
        return histories
    }

    public func run() async throws -> Summary {
        let histories = histories()
        guard !histories.isEmpty else { throw BackfillError.nothingToBackfill }
        if options.step > BackfillOptions.lookbackSafeStep {
            logger.warning(
                "the step is longer than Prometheus' 5-minute lookback: instant queries between two samples find nothing; query the history with last_over_time(metric[\(PrometheusDuration.format(.seconds(options.step)))])"
            )
        }
        try prepareOutputDirectory()
        let httpClient = UpstreamClient.makeHTTPClient()
        do {
            let summary = try await run(histories, client: UpstreamClient(httpClient: httpClient))
            try await httpClient.shutdown()
            return summary
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    private func run(_ histories: [any BackfillHistory], client: UpstreamClient) async throws -> Summary {
        let context = BackfillContext(
            client: client,
            retryPolicy: retryPolicy,
            clock: clock,
            logger: logger,
            options: options,
            now: clock.now(),
            progress: progress
        )
        let cache = BackfillCache(outputDirectory: options.outputDirectory)
        let folders = histories.map { cache.folder(collector: $0.id.collector, identity: $0.cacheIdentity) }

        // 1. Prepare every source at once.
        let schedules = try await withThrowingTaskGroup(of: (Int, any BackfillSchedule).self) { group in
            for (index, history) in histories.enumerated() {
                group.addTask {
                    do {
                        return (index, try await history.prepare(context))
                    } catch let error as CollectorError {
                        throw BackfillError.upstream(source: history.id, date: nil, error: error)
                    }
                }
            }
            var schedules = [(any BackfillSchedule)?](repeating: nil, count: histories.count)
            for try await (index, schedule) in group { schedules[index] = schedule }
            return schedules.compactMap { $0 }
        }
        for (history, schedule) in zip(histories, schedules) {
            logger.info(
                "backfilling",
                metadata: [
                    "collector": "\(history.id.collector.rawValue)", "source": "\(history.id.source)",
                    "days": "\(schedule.days.count)", "first": "\(schedule.days.first.map(schedule.dateText) ?? "-")",
                    "last": "\(schedule.days.last.map(schedule.dateText) ?? "-")",
                ].merging(schedule.facts.mapValues { .string($0) }) { first, _ in first }
            )
        }

        // 2. Fetch what the cache does not have, a few requests at a time.
        let scanned = try await NIOThreadPool.singleton.runIfActive {
            var completeness = [[Int: BackfillAnswer.Completeness]](repeating: [:], count: histories.count)
            var missing: [(source: Int, day: Int)] = []
            for (index, schedule) in schedules.enumerated() {
                for day in schedule.days {
                    let date = schedule.dateText(day)
                    if let known = Self.cachedCompleteness(folder: folders[index], date: date) {
                        completeness[index][day] = known
                    } else if let answer = schedule.prepared[day] {
                        try cache.store(answer, folder: folders[index], date: date)
                        completeness[index][day] = answer.completeness
                    } else {
                        missing.append((index, day))
                    }
                }
            }
            return (completeness: completeness, missing: missing)
        }
        var completeness = scanned.completeness
        let missing = scanned.missing
        let total = schedules.reduce(0) { $0 + $1.days.count }
        progress.startFetching(total: total, fromCache: total - missing.count, at: clock.now())
        let fetched = try await withReporting {
            try await fetch(missing, histories: histories, schedules: schedules, folders: folders, cache: cache, context: context)
        }
        for (source, day, answered) in fetched {
            if let answered { completeness[source][day] = answered }
        }

        // 3. What the live exporter would have served at each instant.
        let maxStale = Int(flooring: configuration.maxStale.seconds)
        let timelines = schedules.enumerated().map { index, schedule in
            BackfillTimeline(schedule: schedule, options: options, maxStale: maxStale) { completeness[index][$0] }
        }

        // 4. One window at a time.
        let windows = options.windows
        progress.startWriting(windows: windows.count, at: clock.now())
        let written = try await withReporting {
            try await write(windows, timelines: timelines, schedules: schedules, folders: folders, cache: cache)
        }
        var sources: [BackfillManifest.Source] = []
        for (index, (history, schedule)) in zip(histories, schedules).enumerated() {
            let known = completeness[index]
            sources.append(
                BackfillManifest.Source(
                    collector: history.id.collector.rawValue,
                    source: history.id.source,
                    facts: schedule.facts,
                    firstDate: schedule.days.first.map(schedule.dateText),
                    lastDate: schedule.days.last.map(schedule.dateText),
                    answered: schedule.days.filter { known[$0] == .complete }.count,
                    incomplete: schedule.days.filter { known[$0] != nil && known[$0] != .complete }.map(schedule.dateText),
                    unanswered: schedule.days.filter { known[$0] == nil }.map(schedule.dateText)
                )
            )
        }
        let manifest = BackfillManifest(
            start: RFC3339Timestamp.format(Double(options.start)),
            end: RFC3339Timestamp.format(Double(options.end)),
            stepSeconds: options.step,
            blockDuration: options.blockDurationText,
            labels: Dictionary(options.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }),
            sources: sources,
            windows: written.windows,
            series: written.series,
            samples: written.windows.reduce(0) { $0 + $1.samples },
            bytes: written.windows.reduce(0) { $0 + $1.bytes }
        )
        if !options.dryRun {
            try removeStaleFiles(keeping: Set(written.windows.compactMap(\.file)))
            try BackfillFiles.writeAtomically(manifest.encoded(), to: (options.outputDirectory as NSString).appendingPathComponent("manifest.json"))
        }
        return Summary(manifest: manifest, requests: progress.requests, answersFromCache: progress.answersFromCache)
    }

    /// Fetches `missing` answers, `options.concurrency` at a time, caching each as it arrives; the first failure
    /// stops the rest (what arrived stays cached).
    private func fetch(
        _ missing: [(source: Int, day: Int)],
        histories: [any BackfillHistory],
        schedules: [any BackfillSchedule],
        folders: [String],
        cache: BackfillCache,
        context: BackfillContext
    ) async throws -> [(Int, Int, BackfillAnswer.Completeness?)] {
        try await withThrowingTaskGroup(of: (Int, Int, BackfillAnswer.Completeness?).self) { group in
            var results: [(Int, Int, BackfillAnswer.Completeness?)] = []
            var pending = missing[...]
            func startNext() {
                guard let (source, day) = pending.popFirst() else { return }
                let schedule = schedules[source]
                let history = histories[source]
                let folder = folders[source]
                group.addTask {
                    let answer: BackfillAnswer?
                    do {
                        answer = try await schedule.fetch(day: day, context: context)
                    } catch let error as CollectorError {
                        throw BackfillError.upstream(source: history.id, date: schedule.dateText(day), error: error)
                    }
                    if let answer {
                        try await NIOThreadPool.singleton.runIfActive {
                            try cache.store(answer, folder: folder, date: schedule.dateText(day))
                        }
                    }
                    context.progress.countAnswer()
                    return (source, day, answer?.completeness)
                }
            }
            for _ in 0..<options.concurrency { startNext() }
            while let result = try await group.next() {
                results.append(result)
                startNext()
            }
            return results
        }
    }

    /// Writes (or, for a dry run, counts) every window from the cached answers.
    private func write(
        _ windows: [BackfillWindow],
        timelines: [BackfillTimeline],
        schedules: [any BackfillSchedule],
        folders: [String],
        cache: BackfillCache
    ) async throws -> (windows: [BackfillManifest.Window], series: Int) {
        let writer = OpenMetricsBlockWriter(labels: options.labels)
        var entries: [BackfillManifest.Window] = []
        var seen = Set<Int>()
        for window in windows {
            let name = Self.fileName(for: window, blockDuration: options.blockDurationText)
            let path = (options.outputDirectory as NSString).appendingPathComponent(name)
            let (counts, windowSeries) = try await NIOThreadPool.singleton.runIfActive { [options] in
                // The answers this window serves, each loaded once.
                var segments: [OpenMetricsBlockWriter.Segment] = []
                for (index, timeline) in timelines.enumerated() {
                    var loaded: [Int: [FamilySamples]] = [:]
                    for run in timeline.runs(in: window) {
                        if loaded[run.day] == nil {
                            let date = schedules[index].dateText(run.day)
                            guard let answer = cache.load(folder: folders[index], date: date) else {
                                cache.remove(folder: folders[index], date: date)
                                throw BackfillError.output(
                                    path: folders[index],
                                    reason: "the cached answer for \(date) is missing or unreadable (removed); run again to fetch it anew"
                                )
                            }
                            loaded[run.day] = answer.families
                        }
                        segments.append(.init(first: run.first, last: run.last, families: loaded[run.day] ?? []))
                    }
                }
                var series: [Int] = []
                let file = options.dryRun ? nil : try BackfillFileWriter(path: path)
                do {
                    let counts = try writer.write(segments, step: options.step, seriesSeen: { series.append($0.hashValue) }) { buffer in
                        try file?.write(buffer)
                    }
                    try file?.commit()
                    return (counts, series)
                } catch {
                    file?.abort()
                    throw error
                }
            }
            seen.formUnion(windowSeries)
            progress.countWindow(samples: counts.samples)
            entries.append(
                BackfillManifest.Window(
                    file: options.dryRun ? nil : name,
                    start: RFC3339Timestamp.format(Double(window.start)),
                    end: RFC3339Timestamp.format(Double(window.end)),
                    series: counts.series,
                    samples: counts.samples,
                    bytes: counts.bytes
                )
            )
        }
        return (entries, seen.count)
    }

    /// Runs `work` with the progress line printed to standard error every two seconds, and once at the end.
    private func withReporting<Value: Sendable>(_ work: () async throws -> Value) async throws -> Value {
        try await withThrowingTaskGroup(of: Value?.self) { group in
            let progress = self.progress
            let clock = self.clock
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(2))
                    if Task.isCancelled { break }
                    Self.printProgress(progress.line(at: clock.now()))
                }
                return nil
            }
            let value = try await work()
            group.cancelAll()
            Self.printProgress(progress.line(at: clock.now()))
            return value
        }
    }

    static func printProgress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// `usage-exporter-20261102T060000Z-162h.om`: the window's start, compact RFC 3339, and the block duration.
    static func fileName(for window: BackfillWindow, blockDuration: String) -> String {
        let stamp = RFC3339Timestamp.format(Double(window.start)).filter { $0 != "-" && $0 != ":" }
        return "usage-exporter-\(stamp)-\(blockDuration).om"
    }

    /// Whether `name` is one of this tool's window files.
    static func isWindowFile(_ name: String) -> Bool { name.hasPrefix("usage-exporter-") && name.hasSuffix(".om") }

    /// How complete a cached answer is, from its first lines only (files appear whole: a file that later proves
    /// unreadable is removed, so that the next run asks again).
    static func cachedCompleteness(folder: String, date: String) -> BackfillAnswer.Completeness? {
        let path = (folder as NSString).appendingPathComponent(date + ".txt")
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 4_096) else { return nil }
        return BackfillAnswer.completeness(ofHead: ByteBuffer(data: head))
    }

    /// Creates the output directory and removes what a stopped run left under temporary names.
    private func prepareOutputDirectory() throws {
        let directory = options.outputDirectory
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw BackfillError.output(path: directory, reason: error.localizedDescription)
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }

    /// Removes window files of an earlier run that this run did not write (another range or block duration).
    private func removeStaleFiles(keeping kept: Set<String>) throws {
        let directory = options.outputDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where Self.isWindowFile(name) && !kept.contains(name) {
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
    }
}
