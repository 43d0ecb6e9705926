import Hummingbird
import Logging
import Synchronization
import UsageExporterSimulator

/// A loopback server that answers every request with 404 and remembers it: the host a hostile redirect
/// points to, where no request may ever arrive.
final class RequestRecorder: Sendable {
    /// The requests received, as `METHOD uri`.
    final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func append(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    private struct Recording<Context: RequestContext>: RouterMiddleware {
        let log: Log
        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            log.append("\(request.method) \(request.uri)")
            return Response(status: .notFound)
        }
    }

    let log: Log
    let baseURL: String
    private let server: SimulatorServer

    /// Starts a recorder on `host` (any 127.0.0.0/8 address) and a free port.
    init(host: String) async throws {
        let log = Log()
        let router = Router()
        router.add(middleware: Recording(log: log))
        var logger = Logger(label: "request-recorder")
        logger.logLevel = .critical
        server = try await SimulatorServer.start(router: router, host: host, logger: logger)
        self.log = log
        baseURL = "http://\(host):\(server.port)"
    }

    var requests: [String] { log.all }

    func stop() async { await server.stop() }
}
