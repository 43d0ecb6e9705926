import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Runs a Hummingbird router on a loopback port chosen by the system, until stopped.
public final class SimulatorServer: Sendable {
    public let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    /// Starts serving `router` and returns once the port is bound.
    public static func start(
        router: Router<BasicRequestContext>,
        host: String = "127.0.0.1",
        port: Int = 0,
        logger: Logger
    ) async throws -> SimulatorServer {
        let (ports, continuation) = AsyncThrowingStream<Int, any Error>.makeStream()
        let application = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "usage-exporter-simulator"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
            },
            logger: logger
        )
        let task = Task {
            do {
                try await application.runService(gracefulShutdownSignals: [])
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
                throw error
            }
        }
        for try await boundPort in ports {
            return SimulatorServer(port: boundPort, task: task)
        }
        throw CancellationError()
    }

    /// Stops serving and waits for the server to close.
    public func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// The running server of a simulator, if any: its address, and stopping it.
public final class SimulatorHost: Sendable {
    private let server = Mutex<SimulatorServer?>(nil)
    private let host = Mutex("127.0.0.1")
    /// Set when stopping begins, so that requests held open (hang faults) are released first.
    private let stopping = Mutex(false)
    let logger: Logger

    /// A host whose server logs only critical events under `label`.
    public init(label: String) {
        var logger = Logger(label: label)
        logger.logLevel = .critical
        self.logger = logger
    }

    /// Starts serving `router` on a loopback address (any of 127.0.0.0/8); returns the base URL.
    public func start(router: Router<BasicRequestContext>, host: String = "127.0.0.1", port: Int) async throws -> String {
        stopping.withLock { $0 = false }
        self.host.withLock { $0 = host }
        let started = try await SimulatorServer.start(router: router, host: host, port: port, logger: logger)
        server.withLock { $0 = started }
        return baseURL
    }

    /// `http://HOST:PORT`.
    public var baseURL: String { "http://\(host.withLock { $0 }):\(server.withLock { $0?.port ?? 0 })" }

    /// Holds a request until the simulator stops (at most ten minutes).
    func waitUntilStopped() async throws {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline, !stopping.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    public func stop() async {
        stopping.withLock { $0 = true }
        let running = server.withLock { server in
            defer { server = nil }
            return server
        }
        await running?.stop()
    }
}
