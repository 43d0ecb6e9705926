import AsyncHTTPClient
import Foundation
import Hummingbird
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

    public init(
        listenAddress: ListenAddress = ListenAddress(host: "0.0.0.0", port: 9834),
        telemetryPath: String = "/metrics",
        retryPolicy: RetryPolicy = .standard,
        shutdownSignals: [UnixSignal] = [.sigterm, .sigint]
    ) {
        self.listenAddress = listenAddress
        self.telemetryPath = telemetryPath
        self.retryPolicy = retryPolicy
        self.shutdownSignals = shutdownSignals
    }
}

/// The running exporter: collectors polling in the background and the HTTP server reading their snapshots.
public struct Exporter: Sendable {
    public let configuration: ExporterConfiguration
    public let options: ExporterOptions
    public let store = MetricsStore()
    let logger: Logger
    let startTime = Date().timeIntervalSince1970

    public init(configuration: ExporterConfiguration, options: ExporterOptions, logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    /// One poller per configured source and report, in configuration order.
    public static func pollers(for configuration: ExporterConfiguration) -> [any SourcePoller] {
        let labeler = EmailLabeler()
        var pollers: [any SourcePoller] = []
        for team in configuration.windsurf {
            let builder = WindsurfSnapshotBuilder(team: team.name, emailLabeler: labeler, perUser: configuration.privacy.perUser)
            pollers.append(WindsurfUserPoller(team: team, builder: builder))
            if team.creditBalance {
                pollers.append(WindsurfCreditBalancePoller(team: team, builder: builder))
            }
        }
        for customer in configuration.googleWorkspace {
            let tokens = GoogleAccessTokenProvider(key: customer.credentials, subject: customer.subject, timeout: customer.timeout)
            let perUser = configuration.privacy.perUser
            pollers.append(GoogleCustomerReportPoller(customer: customer, tokens: tokens, emailLabeler: labeler, perUser: perUser))
            if customer.userReport {
                pollers.append(GoogleUserReportPoller(customer: customer, tokens: tokens, emailLabeler: labeler, perUser: perUser))
            }
        }
        return pollers
    }

    /// Serves and polls until a shutdown signal or cancellation. `onServerRunning` receives the bound port.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let httpClient = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .follow(max: 3, allowCycles: false),
                timeout: .init(connect: .seconds(10)),
                decompression: .enabled(limit: .ratio(50))))
        let pollers = Self.pollers(for: configuration)
        store.setSources(pollers.map(\.id))
        if pollers.isEmpty {
            logger.warning("no sources are configured: only the exporter's own metrics will be served")
        }

        let startTime = self.startTime
        let server = ExporterHTTPServer(store: store, telemetryPath: options.telemetryPath) {
            SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: startTime)
        }
        let logger = self.logger
        let address = options.listenAddress
        let application = Application(
            router: server.makeRouter(),
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? address.port
                logger.info("listening", metadata: ["address": "\(ListenAddress(host: address.host, port: port))"])
                await onServerRunning(port)
            },
            logger: logger)
        let collectors = CollectorService(
            pollers: pollers, store: store, client: UpstreamClient(httpClient: httpClient), retryPolicy: options.retryPolicy,
            logger: logger)

        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: application),
                    .init(service: collectors),
                ],
                gracefulShutdownSignals: options.shutdownSignals,
                logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }
}
