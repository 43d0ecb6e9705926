import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOPosix

/// The exporter's HTTP endpoints: metrics, landing page, health, readiness and reload.
public struct ExporterHTTPServer: Sendable {
    let store: MetricsStore
    let telemetryPath: String
    let webConfiguration: WebConfiguration
    let reloadStatus: @Sendable () -> SelfMetrics.ReloadStatus
    let reload: @Sendable () async -> Result<Void, ConfigurationError>

    public init(
        store: MetricsStore,
        telemetryPath: String,
        webConfiguration: WebConfiguration = WebConfiguration(),
        reloadStatus: @escaping @Sendable () -> SelfMetrics.ReloadStatus,
        reload: @escaping @Sendable () async -> Result<Void, ConfigurationError> = {
            .failure(ConfigurationError(problems: [ConfigurationProblem(file: "", path: "", line: nil, message: "reload is not available")]))
        }
    ) {
        self.store = store
        self.telemetryPath = telemetryPath
        self.webConfiguration = webConfiguration
        self.reloadStatus = reloadStatus
        self.reload = reload
    }

    /// The exposition for `now` (default: the store's clock) in `format`, as buffers to send back to back
    /// (one gzip stream when `gzip`). The plan's prepared parts are sent as they are; the scrape-time
    /// families, `/proc` and the self-metrics are rendered (and compressed) now, on NIO's blocking thread
    /// pool, not on the cooperative pool.
    public func renderMetrics(format: ExpositionFormat = .text, gzip: Bool = false, now: Double? = nil) async throws -> [ByteBuffer] {
        let now = now ?? store.clock.now()
        let (plan, statuses) = store.scrapeView(now: now)
        let reload = reloadStatus()
        // The self-metrics and process families, read and rendered while the body's scrape-time parts are.
        async let tail = NIOThreadPool.singleton.runIfActive { () throws -> (text: ByteBuffer, piece: GzipStream.Piece?) in
            var tail = ByteBuffer()
            tail.reserveCapacity(8192)
            SelfMetrics.write(statuses: statuses, reload: reload, format: format, into: &tail)
            ProcessMetrics.write(ProcessMetrics.read(), format: format, into: &tail)
            if format == .openMetrics { tail.writeString("# EOF\n") }
            return (tail, gzip ? try GzipStream.piece(tail, level: GzipStream.scrapeTimeLevel) : nil)
        }
        if gzip {
            let spans = try await plan.gzipSpans(now: now, format: format)
            return GzipStream.assemble(spans + [GzipStream.Span([try await tail.piece!])])
        }
        let body = try await plan.plainBuffers(now: now, format: format)
        return body + [try await tail.text]
    }

    func metricsResponse(_ request: Request, head: Bool) async throws -> Response {
        let format = ExpositionFormat.negotiate(accept: request.headers[.accept])
        let gzip = ExpositionFormat.acceptsGzip(request.headers[.acceptEncoding])
        let buffers = try await renderMetrics(format: format, gzip: gzip)
        var headers: HTTPFields = [.contentType: format.contentType, .vary: "Accept, Accept-Encoding"]
        if gzip { headers[.contentEncoding] = "gzip" }
        if head {
            headers[.contentLength] = String(buffers.reduce(0) { $0 + $1.readableBytes })
            return Response(status: .ok, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(contentsOf: buffers))
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: WebConfigurationMiddleware(configuration: webConfiguration))
        router.get(RouterPath(telemetryPath)) { request, _ in try await metricsResponse(request, head: false) }
        router.head(RouterPath(telemetryPath)) { request, _ in try await metricsResponse(request, head: true) }
        if telemetryPath != "/" {
            router.get("/") { _, _ in
                let html = LandingPage.render(telemetryPath: telemetryPath, statuses: store.statuses, now: store.clock.now())
                return Response(
                    status: .ok,
                    headers: [.contentType: "text/html; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(string: html))
                )
            }
        }
        let healthy: @Sendable (Request, BasicRequestContext) -> Response = { _, _ in Self.text(.ok, "Healthy\n") }
        router.get("/-/healthy", use: healthy)
        router.head("/-/healthy", use: healthy)
        let ready: @Sendable (Request, BasicRequestContext) -> Response = { _, _ in
            if store.isReady { return Self.text(.ok, "Ready\n") }
            let waiting = store.statuses.filter { $0.status.lastPollSucceeded == nil }.map(\.source.description)
            return Self.text(.serviceUnavailable, "Not ready: waiting for the first poll of \(waiting.joined(separator: ", "))\n")
        }
        router.get("/-/ready", use: ready)
        router.head("/-/ready", use: ready)
        router.get("/-/reload") { _, _ in
            var response = Self.text(.methodNotAllowed, "Use POST to reload the configuration\n")
            response.headers[.allow] = "POST"
            return response
        }
        router.post("/-/reload") { _, _ in
            switch await reload() {
            case .success: return Self.text(.ok, "Configuration reloaded\n")
            case .failure(let error):
                return Self.text(.internalServerError, "Reload failed; the running configuration is kept:\n\(error.description)\n")
            }
        }
        return router
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
