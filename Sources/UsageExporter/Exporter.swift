import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import ServiceLifecycle
import UnixSignals

/// Settings from the command line that are not part of the configuration file.
public struct ExporterOptions: Sendable {
    public var listenAddress: ListenAddress
    public var telemetryPath: String
    public var retryPolicy: RetryPolicy
    /// Signals that start a graceful shutdown; empty in tests, which cancel instead.
    public var shutdownSignals: [UnixSignal]
    /// TLS, basic auth and headers (`--web.config.file`), and the file's name for error messages.
    public var webConfiguration: WebConfiguration
    public var webConfigurationFile: String
    /// The configuration file to re-read on reload; nil when there is none (`--demo`).
    public var configurationFile: String?
    public var environment: [String: String]
    /// Connections idle this long are closed, so slow or abandoned clients cannot pile up.
    public var idleTimeout: Duration
    /// The time of polls, retries and staleness; tests inject one they advance by hand.
    public var clock: any ExporterClock
    /// Where the upstream promises (`Retry-After` waits, the consumption API's query budget) are kept across
    /// restarts (`--state.file`); nil keeps them in memory only.
    public var stateFile: String?

    public init(
        listenAddress: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9834),
        telemetryPath: String = "/metrics",
        retryPolicy: RetryPolicy = .standard,
        shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        webConfiguration: WebConfiguration = WebConfiguration(),
        webConfigurationFile: String = "",
        configurationFile: String? = nil,
        environment: [String: String] = [:],
        idleTimeout: Duration = .seconds(60),
        clock: any ExporterClock = SystemClock(),
        stateFile: String? = nil
    ) {
        self.listenAddress = listenAddress
        self.telemetryPath = telemetryPath
        self.retryPolicy = retryPolicy
        self.shutdownSignals = shutdownSignals
        self.webConfiguration = webConfiguration
        self.webConfigurationFile = webConfigurationFile
        self.configurationFile = configurationFile
        self.environment = environment
        self.idleTimeout = idleTimeout
        self.clock = clock
        self.stateFile = stateFile
    }
}

/// The running exporter: collectors polling in the background and the HTTP server reading their snapshots.
public struct Exporter: Sendable {
    public let configuration: ExporterConfiguration
    public let options: ExporterOptions
    public let store: MetricsStore
    let logger: Logger

    public init(configuration: ExporterConfiguration, options: ExporterOptions, logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.store = MetricsStore(maxStale: configuration.maxStale, clock: options.clock)
    }

    /// The HTTP server builder: HTTP/1.1, with TLS when the web configuration asks for it.
    public static func serverBuilder(options: ExporterOptions) throws -> HTTPServerBuilder {
        let http = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .nanoseconds(options.idleTimeout.clampedNanoseconds)))
        guard let tls = options.webConfiguration.tls else { return http }
        return try .tls(http, tlsConfiguration: tls.makeServerConfiguration(file: options.webConfigurationFile))
    }

    /// The pacer, with what the state file remembers; a state file that cannot be written stops the start
    /// (the problem names the flag), one that cannot be read is logged and replaced.
    static func pacer(options: ExporterOptions, logger: Logger) async throws -> UpstreamPacer {
        let pacer = UpstreamPacer(stateFile: options.stateFile, logger: logger)
        let now = options.clock.now()
        do {
            try await pacer.restore(now: now)
        } catch {
            logger.warning("ignoring the state file: a restart may repeat a wait or a query of the last hour", metadata: ["error": "\(error)"])
        }
        try await pacer.write(now: now)
        return pacer
    }

    /// Serves and polls until a shutdown signal or cancellation. `onServerRunning` receives the bound port.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let serverBuilder = try Self.serverBuilder(options: options)
        // Before the HTTP client exists: a state file that cannot be written stops the start here.
        let pacer = try await Self.pacer(options: options, logger: logger)
        let httpClient = UpstreamClient.makeHTTPClient()
        let collectors = CollectorService(
            store: store,
            client: UpstreamClient(httpClient: httpClient),
            retryPolicy: options.retryPolicy,
            clock: options.clock,
            pacer: pacer,
            logger: logger
        )
        let pollers = SourcePollers.make(for: configuration)
        collectors.apply(pollers, maxStale: configuration.maxStale)
        if pollers.isEmpty {
            logger.warning("no sources are configured: only the exporter's own metrics will be served")
        }
        let reloader = ConfigurationReloader(
            path: options.configurationFile,
            environment: options.environment,
            configuration: configuration,
            collectors: collectors,
            clock: options.clock,
            logger: logger
        )
        let server = ExporterHTTPServer(
            store: store,
            telemetryPath: options.telemetryPath,
            webConfiguration: options.webConfiguration,
            reloadStatus: { reloader.reloadStatus },
            reload: { await reloader.reload() }
        )
        let logger = self.logger
        let address = options.listenAddress
        let scheme = options.webConfiguration.tls == nil ? "http" : "https"
        let application = Application(
            router: server.makeRouter(),
            server: serverBuilder,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("listening", metadata: ["address": "\(ListenAddress(host: address.host, port: port))", "scheme": "\(scheme)"])
                await onServerRunning(port)
            },
            logger: logger
        )

        var groupConfiguration = ServiceGroupConfiguration(
            services: [
                .init(service: application),
                .init(service: collectors),
                .init(service: ReloadSignalService(reloader: reloader)),
            ],
            gracefulShutdownSignals: options.shutdownSignals,
            logger: logger
        )
        // Scrapes are short and polls are cancelled at once: a stuck shutdown is escalated to cancellation,
        // which reaches every request in flight. No maximumCancellationDuration: it would end in fatalError.
        groupConfiguration.maximumGracefulShutdownDuration = .milliseconds(1500)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
