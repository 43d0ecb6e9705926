import Foundation
import Logging
import ServiceLifecycle
import Synchronization

/// Runs one polling loop per source until graceful shutdown. Each loop polls at once, then every
/// interval (plus up to 10% jitter, so sources that started together drift apart), publishing each
/// success to the store and keeping the last good data on failure. A reload replaces the set of loops:
/// new sources start, removed ones stop, changed ones restart, unchanged ones keep running.
public final class CollectorService: Service, Sendable {
    let store: MetricsStore
    let client: UpstreamClient
    let retryPolicy: RetryPolicy
    let logger: Logger
    private let initial: [any SourcePoller]
    private let updates: AsyncStream<[any SourcePoller]>
    private let continuation: AsyncStream<[any SourcePoller]>.Continuation

    public init(pollers: [any SourcePoller], store: MetricsStore, client: UpstreamClient, retryPolicy: RetryPolicy = .standard, logger: Logger) {
        self.initial = pollers
        self.store = store
        self.client = client
        self.retryPolicy = retryPolicy
        self.logger = logger
        (updates, continuation) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Replaces the running loops with `pollers` (after a configuration reload).
    public func replace(with pollers: [any SourcePoller]) {
        continuation.yield(pollers)
    }

    public func run() async throws {
        // Cancelling on graceful shutdown ends a request in flight at once instead of waiting for its deadline.
        await cancelWhenGracefulShutdown {
            var running: [SourceID: (poller: any SourcePoller, task: Task<Void, Never>)] = [:]
            await self.apply(self.initial, to: &running)
            for await pollers in self.updates {
                await self.apply(pollers, to: &running)
            }
            for (_, loop) in running { loop.task.cancel() }
            for (_, loop) in running { await loop.task.value }
        }
    }

    private func apply(_ pollers: [any SourcePoller], to running: inout [SourceID: (poller: any SourcePoller, task: Task<Void, Never>)]) async {
        let wanted = Dictionary(pollers.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for (id, loop) in running where !(wanted[id].map { $0.hasSameSettings(as: loop.poller) } ?? false) {
            loop.task.cancel()
            await loop.task.value
            running[id] = nil
            logger.info("stopped collector", metadata: ["collector": "\(id.collector.rawValue)", "source": "\(id.source)"])
        }
        for poller in pollers where running[poller.id] == nil {
            running[poller.id] = (poller, Task { await self.loop(poller) })
        }
    }

    static func now() -> Double { Date().timeIntervalSince1970 }

    func loop(_ poller: any SourcePoller) async {
        let id = poller.id
        var logger = self.logger
        logger[metadataKey: "collector"] = "\(id.collector.rawValue)"
        logger[metadataKey: "source"] = "\(id.source)"
        let store = self.store
        let context = PollContext(
            client: client, retryPolicy: retryPolicy, logger: logger,
            recordRequest: { store.recordRequest($0, for: id) }, now: Self.now)

        while !Task.isCancelled {
            let started = ContinuousClock.now
            let startTime = Self.now()
            do {
                logger.debug("poll started")
                let families = try await poller.poll(context)
                let duration = (ContinuousClock.now - started).seconds
                store.publish(SourceSnapshot(families: families, completedAt: Self.now()), for: id, duration: duration)
                logger.debug("poll succeeded", metadata: ["duration_seconds": "\(duration)"])
            } catch let error as CollectorError {
                let duration = (ContinuousClock.now - started).seconds
                store.recordFailure(error, for: id, at: Self.now(), duration: duration)
                logger.error("poll failed; keeping the last good data", metadata: ["reason": "\(error.reason.rawValue)", "error": "\(error.message)"])
            } catch {
                if Task.isCancelled { return }
                let duration = (ContinuousClock.now - started).seconds
                let wrapped = CollectorError(.upstream, "unexpected error: \(error)")
                store.recordFailure(wrapped, for: id, at: Self.now(), duration: duration)
                logger.error("poll failed; keeping the last good data", metadata: ["error": "\(wrapped.message)"])
            }
            let interval = poller.interval.seconds * (1 + Double.random(in: 0..<0.1))
            store.recordNextPoll(at: startTime + interval, for: id)
            do {
                try await Task.sleep(until: started + .milliseconds(Int64(interval * 1000)), clock: .continuous)
            } catch {
                return
            }
        }
    }
}
