import Logging
import NIOPosix
import Synchronization

/// Re-reads the configuration file on `SIGHUP` and `POST /-/reload`. A valid file replaces the collectors
/// (added sources start, removed ones stop, changed ones restart, others keep running and keep their data);
/// an invalid one keeps the running configuration.
///
/// A reload reads files, so it runs on NIO's blocking thread pool, never on the cooperative pool, and
/// reloads run one at a time from the file read to the new collectors: the file read last is applied last.
public final class ConfigurationReloader: Sendable {
    /// The file to read; nil when there is none (`--demo`).
    let path: String?
    let environment: [String: String]
    let collectors: CollectorService
    let clock: any ExporterClock
    let logger: Logger
    /// The running configuration. Its lock is held for a whole reload, which serializes reloads.
    private let running: Mutex<ExporterConfiguration>
    /// Apart from `running`, so a scrape never waits for a reload to read this.
    private let status: Mutex<SelfMetrics.ReloadStatus>

    public init(
        path: String?,
        environment: [String: String],
        configuration: ExporterConfiguration,
        collectors: CollectorService,
        clock: any ExporterClock = SystemClock(),
        logger: Logger
    ) {
        self.path = path
        self.environment = environment
        self.collectors = collectors
        self.clock = clock
        self.logger = logger
        self.running = Mutex(configuration)
        self.status = Mutex(SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: clock.now()))
    }

    public var reloadStatus: SelfMetrics.ReloadStatus { status.withLock { $0 } }

    /// Reloads now, on the blocking thread pool.
    public func reload() async -> Result<Void, ConfigurationError> {
        do {
            return try await NIOThreadPool.singleton.runIfActive { self.reloadBlocking() }
        } catch {
            return .failure(Self.failure("the exporter is shutting down"))
        }
    }

    /// Reads, validates and applies the file, blocking the calling thread; one reload at a time.
    func reloadBlocking() -> Result<Void, ConfigurationError> {
        guard let path else {
            logger.warning("reload requested, but there is no configuration file to reload (demo mode)")
            return .failure(Self.failure("no configuration file to reload (demo mode)"))
        }
        return running.withLock { running in
            let configuration: ExporterConfiguration
            do throws(ConfigurationError) {
                // Every secret file is read again, so a rotated key is picked up too.
                configuration = try ConfigurationLoader.load(path: path, environment: environment)
            } catch {
                status.withLock { $0.lastSucceeded = false }
                logger.error("configuration reload failed; keeping the running configuration", metadata: ["problems": "\(error.description)"])
                return .failure(error)
            }
            let pollers = SourcePollers.make(for: configuration)
            // New privacy settings must not leave series made under the old ones (plain addresses) on show.
            collectors.apply(
                pollers,
                dropSnapshots: !running.privacy.exportsUsersTheSame(as: configuration.privacy),
                maxStale: configuration.maxStale
            )
            running = configuration
            status.withLock { $0 = SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: clock.now()) }
            logger.info("configuration reloaded", metadata: ["sources": "\(pollers.count)"])
            return .success(())
        }
    }

    static func failure(_ message: String) -> ConfigurationError {
        ConfigurationError(problems: [ConfigurationProblem(file: "", path: "", line: nil, message: message)])
    }
}
