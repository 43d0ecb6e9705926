import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Testing
import UsageExporter
import UsageExporterSimulator

/// The real exporter (HTTP server and collectors) on an ephemeral loopback port, polling a Windsurf
/// simulator over real HTTP.
final class ExporterHarness: Sendable {
    private let windsurfSimulator: WindsurfSimulator?
    let google: GoogleSimulator?
    let exporter: Exporter
    let port: Int
    private let task: Task<Void, any Error>

    /// A retry policy that keeps fault tests short.
    static let fastRetries = RetryPolicy(maximumAttempts: 3, initialBackoff: .milliseconds(10), maximumBackoff: .milliseconds(50))

    /// The Windsurf simulator, for tests that started one.
    var simulator: WindsurfSimulator { windsurfSimulator! }

    private init(windsurfSimulator: WindsurfSimulator?, google: GoogleSimulator?, exporter: Exporter, port: Int, task: Task<Void, any Error>) {
        self.windsurfSimulator = windsurfSimulator
        self.google = google
        self.exporter = exporter
        self.port = port
        self.task = task
    }

    /// Starts a Windsurf simulator with `teams` and an exporter configured by `configure(baseURL)`.
    static func start(
        teams: [SimulatedWindsurfTeam],
        retryPolicy: RetryPolicy = fastRetries,
        beforeExporterStarts: (WindsurfSimulator) -> Void = { _ in },
        configure: (String) -> ExporterConfiguration
    ) async throws -> ExporterHarness {
        let simulator = WindsurfSimulator(teams: teams)
        let baseURL = try await simulator.start()
        beforeExporterStarts(simulator)
        return try await start(windsurf: simulator, google: nil, retryPolicy: retryPolicy, configuration: configure(baseURL))
    }

    /// Starts an exporter with `configuration` in front of already started simulators, which it stops with itself.
    static func start(
        windsurf: WindsurfSimulator?,
        google: GoogleSimulator?,
        retryPolicy: RetryPolicy = fastRetries,
        configuration: ExporterConfiguration
    ) async throws -> ExporterHarness {
        var logger = Logger(label: "usage-exporter-test")
        logger.logLevel = .critical
        let exporter = Exporter(
            configuration: configuration,
            options: ExporterOptions(listenAddress: ListenAddress(host: "127.0.0.1", port: 0), retryPolicy: retryPolicy, shutdownSignals: []),
            logger: logger
        )
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task {
            defer { continuation.finish() }
            try await exporter.run { continuation.yield($0) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            await windsurf?.stop()
            await google?.stop()
            throw HarnessError("the exporter did not start: \(String(describing: await task.result))")
        }
        return ExporterHarness(windsurfSimulator: windsurf, google: google, exporter: exporter, port: port, task: task)
    }

    /// The usual team configuration pointing at the simulator.
    static func teamConfigurations(
        _ teams: [SimulatedWindsurfTeam],
        baseURL: String,
        interval: Duration = .milliseconds(300),
        timeout: Duration = .seconds(5)
    ) -> [WindsurfTeamConfiguration] {
        teams.map {
            WindsurfTeamConfiguration(
                name: $0.name,
                baseURL: baseURL,
                serviceKey: Secret($0.serviceKey),
                groups: $0.groups.isEmpty ? nil : $0.groups,
                creditBalance: true,
                interval: interval,
                timeout: timeout
            )
        }
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        await windsurfSimulator?.stop()
        await google?.stop()
    }

    struct HarnessError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// A request to the exporter; returns status, headers and body text.
    func request(
        _ path: String,
        method: HTTPMethod = .GET,
        headers: [(String, String)] = []
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 256 << 20)
        return (Int(response.status.code), response.headers, String(buffer: body))
    }

    /// A request whose body is returned as bytes.
    func requestBytes(_ path: String, headers: [(String, String)] = []) async throws -> (status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await TestHTTPClient.shared.execute(request, timeout: .seconds(10))
        return (Int(response.status.code), response.headers, try await response.body.collect(upTo: 256 << 20))
    }

    func metrics() async throws -> ParsedExposition {
        let response = try await request("/metrics")
        #expect(response.status == 200)
        return ParsedExposition(response.body)
    }

    /// Scrapes until `condition` holds, or fails after `timeout`.
    @discardableResult
    func waitForMetrics(timeout: Duration = .seconds(15), _ what: String, _ condition: (ParsedExposition) -> Bool) async throws -> ParsedExposition {
        let deadline = ContinuousClock.now + timeout
        while true {
            let metrics = try await metrics()
            if condition(metrics) { return metrics }
            if ContinuousClock.now > deadline { throw HarnessError("timed out waiting for: \(what)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    func waitUntilReady(timeout: Duration = .seconds(15)) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await request("/-/ready").status != 200 {
            if ContinuousClock.now > deadline { throw HarnessError("the exporter never became ready") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

extension ParsedExposition {
    func success(_ collector: String, _ source: String) -> Double? {
        value("usage_exporter_collector_success", ["collector": collector, "source": source])
    }

    func errors(_ collector: String, _ source: String, _ reason: String) -> Double {
        value("usage_exporter_collector_errors_total", ["collector": collector, "source": source, "reason": reason]) ?? 0
    }

    func requests(_ collector: String, _ source: String, _ code: String) -> Double {
        value("usage_exporter_upstream_requests_total", ["collector": collector, "source": source, "code": code]) ?? 0
    }
}

/// The tests' HTTP client: no automatic decompression, so tests see exactly what the exporter sent.
enum TestHTTPClient {
    static let shared = HTTPClient(eventLoopGroupProvider: .singleton, configuration: HTTPClient.Configuration(decompression: .disabled))
}
