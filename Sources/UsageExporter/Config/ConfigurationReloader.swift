import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// Re-reads the configuration file on `SIGHUP` and `POST /-/reload`. A valid file replaces the collectors
/// (added sources start, removed ones stop, changed ones restart, others keep running and keep their data);
/// an invalid one keeps the running configuration.
public final class ConfigurationReloader: Sendable {
    /// The file to read; nil when there is none (`--demo`).
    let path: String?
    let environment: [String: String]
    let collectors: CollectorService
    let store: MetricsStore
    let logger: Logger
    private let status: Mutex<SelfMetrics.ReloadStatus>
    /// The running configuration; its lock also makes reloads (signal and HTTP at once) run one at a time.
    private let running: Mutex<ExporterConfiguration>

    public init(
        path: String?, environment: [String: String], configuration: ExporterConfiguration, collectors: CollectorService, store: MetricsStore,
        logger: Logger
    ) {
        self.path = path
        self.environment = environment
        self.collectors = collectors
        self.store = store
        self.logger = logger
        self.running = Mutex(configuration)
        self.status = Mutex(SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: Date().timeIntervalSince1970))
    }

    public var reloadStatus: SelfMetrics.ReloadStatus { status.withLock { $0 } }

    /// Reloads now.
    public func reload() -> Result<Void, ConfigurationError> {
        guard let path else {
            logger.warning("reload requested, but there is no configuration file to reload (demo mode)")
            return .failure(ConfigurationError(problems: [ConfigurationProblem(file: "", path: "", line: nil, message: "no configuration file to reload (demo mode)")]))
        }
        let configuration: ExporterConfiguration
        do {
            // Every secret file is read again, so a rotated key is picked up too.
            configuration = try ConfigurationLoader.load(path: path, environment: environment)
        } catch {
            status.withLock { $0.lastSucceeded = false }
            logger.error("configuration reload failed; keeping the running configuration", metadata: ["problems": "\(error.description)"])
            return .failure(error)
        }
        let pollers = Exporter.pollers(for: configuration)
        running.withLock { running in
            // New privacy settings must not leave series made under the old ones (plain addresses) on show.
            if running.privacy != configuration.privacy { store.dropAllSnapshots() }
            store.setSources(pollers.map(\.id), maxStale: configuration.maxStale)
            collectors.replace(with: pollers)
            running = configuration
        }
        status.withLock { $0 = SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: Date().timeIntervalSince1970) }
        logger.info("configuration reloaded", metadata: ["sources": "\(pollers.count)"])
        return .success(())
    }
}

/// Reloads the configuration on every `SIGHUP` until shutdown.
struct ReloadSignalService: Service {
    let reloader: ConfigurationReloader

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            _ = reloader.reload()
        }
    }
}
