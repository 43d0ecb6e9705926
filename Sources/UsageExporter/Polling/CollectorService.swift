import Logging
import ServiceLifecycle
import Synchronization

/// Runs one polling loop per source, each a child task of this service's task group, until graceful
/// shutdown or cancellation, which reach every request in flight.
///
/// Each loop polls at once, then every interval (plus up to 10% jitter, so sources that started together
/// drift apart), publishing each success to the store and keeping the last good data on failure.
/// ``apply(_:dropSnapshots:maxStale:)`` replaces the set of loops after a reload: new sources start,
/// removed ones stop, changed ones restart with a new ``PollRun``, unchanged ones keep running.
public final class CollectorService: Service, Sendable {
    let store: MetricsStore
    let client: UpstreamClient
    let retryPolicy: RetryPolicy
    let clock: any ExporterClock
    let logger: Logger
    /// The promises to the upstreams (`Retry-After`, query budgets), kept across polls and reloads.
    public let pacer: UpstreamPacer

    /// A poller with the run it publishes as.
    struct Entry: Sendable {
        let poller: any SourcePoller
        let run: PollRun
    }

    private struct Wanted {
        var entries: [SourceID: Entry] = [:]
        var nextGeneration = 1
    }

    /// The loops that should run; `run()` makes the running set match it after every change.
    private let wanted = Mutex(Wanted())
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    public init(
        store: MetricsStore,
        client: UpstreamClient,
        retryPolicy: RetryPolicy = .standard,
        clock: any ExporterClock = SystemClock(),
        pacer: UpstreamPacer = UpstreamPacer(),
        logger: Logger
    ) {
        self.store = store
        self.client = client
        self.retryPolicy = retryPolicy
        self.clock = clock
        self.pacer = pacer
        self.logger = logger
        (changes, changed) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Makes `pollers` the running set, in one step with the store: unchanged pollers keep their run, new and
    /// changed ones get a new run, and the store accepts data from these runs only. With `dropSnapshots`,
    /// every source's data is dropped at the same moment (new privacy settings) and every source restarts.
    public func apply(_ pollers: [any SourcePoller], dropSnapshots: Bool = false, maxStale: Duration) {
        wanted.withLock { wanted in
            var entries: [SourceID: Entry] = [:]
            var runs: [PollRun] = []
            for poller in pollers where entries[poller.id] == nil {
                let run: PollRun
                // When all data is dropped, every source restarts too, so that each polls again at once.
                if !dropSnapshots, let current = wanted.entries[poller.id], current.poller.hasSameSettings(as: poller) {
                    run = current.run
                } else {
                    run = PollRun(source: poller.id, generation: wanted.nextGeneration)
                    wanted.nextGeneration += 1
                }
                entries[poller.id] = Entry(poller: poller, run: run)
                runs.append(run)
            }
            // Under this lock, so two applies reach the store in the order they were made.
            store.install(runs: runs, maxStale: maxStale, dropSnapshots: dropSnapshots)
            wanted.entries = entries
        }
        changed.yield()
    }

    public func run() async throws {
        // Cancelling on graceful shutdown ends a request in flight at once instead of waiting for its deadline.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                var running: [SourceID: (run: PollRun, stop: AsyncStream<Never>.Continuation)] = [:]
                // Every change (and the initial apply) wakes this loop; it ends when the service is cancelled.
                for await _ in self.changes {
                    let entries = self.wanted.withLock { $0.entries }
                    for (source, loop) in running where entries[source]?.run != loop.run {
                        loop.stop.finish()
                        running[source] = nil
                        self.logger.info("stopped collector", metadata: ["collector": "\(source.collector.rawValue)", "source": "\(source.source)"])
                    }
                    for (source, entry) in entries where running[source] == nil {
                        let (stopped, stop) = AsyncStream<Never>.makeStream()
                        running[source] = (entry.run, stop)
                        group.addTask { await self.loop(entry, until: stopped) }
                    }
                }
                group.cancelAll()
            }
        }
    }

    /// Runs the poll loop of `entry` until `stopped` finishes or the task is cancelled.
    private func loop(_ entry: Entry, until stopped: AsyncStream<Never>) async {
        await withTaskGroup(of: Void.self) { group in
            // The first child ends when the loop is stopped; the second only when cancelled.
            group.addTask { for await _ in stopped {} }
            group.addTask { await self.pollForever(entry) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Polls `entry` at once and then every interval until cancelled.
    func pollForever(_ entry: Entry) async {
        let run = entry.run
        var logger = self.logger
        logger[metadataKey: "collector"] = "\(run.source.collector.rawValue)"
        logger[metadataKey: "source"] = "\(run.source.source)"
        while !Task.isCancelled {
            let started = clock.now()
            let nextPoll = started + entry.poller.interval.seconds * (1 + Double.random(in: 0..<0.1))
            store.recordNextPoll(at: nextPoll, for: run)
            await pollOnce(entry, nextPollTime: nextPoll, logger: logger)
            // The poll's answers and the replaced snapshot are free now; without this the resident size stays
            // near the peak of the polls that ran at the same time.
            await HeapMemory.releaseFreedMemory()
            do {
                try await clock.sleep(until: nextPoll)
            } catch {
                return
            }
        }
    }

    /// One poll: published on success, recorded on failure; cancellation records nothing.
    func pollOnce(_ entry: Entry, nextPollTime: Double, logger: Logger) async {
        let run = entry.run
        let store = self.store
        let context = PollContext(
            // Paced per source name: the collectors of one team (or customer) share its credentials and limits.
            client: client.dating(by: clock).paced(by: pacer, scope: run.source.source) { store.recordHoldBack(until: $0, for: run.source) },
            retryPolicy: retryPolicy,
            clock: clock,
            nextPollTime: nextPollTime,
            logger: logger,
            recordRequest: { store.recordRequest($0, for: run.source) }
        )
        let started = clock.now()
        do {
            logger.debug("poll started")
            let families = try await entry.poller.poll(context)
            let finished = clock.now()
            if store.publish(SourceSnapshot(families: families, completedAt: finished), for: run, duration: finished - started) {
                logger.debug("poll succeeded", metadata: ["duration_seconds": "\(finished - started)"])
            } else {
                logger.debug("poll finished after its run was superseded; its data is discarded")
            }
        } catch {
            if Task.isCancelled { return }
            let failure = error as? CollectorError ?? CollectorError(.upstream, "unexpected error: \(error)")
            let finished = clock.now()
            store.recordFailure(failure, for: run, at: finished, duration: finished - started)
            logger.error(
                "poll failed; keeping the last good data",
                metadata: ["reason": "\(failure.reason.rawValue)", "error": "\(failure.message)"]
            )
        }
    }
}
