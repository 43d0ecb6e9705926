import Foundation
import Hummingbird
import Logging
import NIOCore

/// The exporter's HTTP endpoints: metrics, landing page, health and readiness.
public struct ExporterHTTPServer: Sendable {
    public static let textContentType = "text/plain; version=0.0.4; charset=utf-8"

    let store: MetricsStore
    let telemetryPath: String
    let reloadStatus: @Sendable () -> SelfMetrics.ReloadStatus

    public init(store: MetricsStore, telemetryPath: String, reloadStatus: @escaping @Sendable () -> SelfMetrics.ReloadStatus) {
        self.store = store
        self.telemetryPath = telemetryPath
        self.reloadStatus = reloadStatus
    }

    /// The rendered `/metrics` body for now.
    public func renderMetrics(now: Double = Date().timeIntervalSince1970) -> ByteBuffer {
        let plan = store.plan
        var buffer = ByteBuffer()
        buffer.reserveCapacity(plan.estimatedByteCount + 4096)
        plan.write(into: &buffer, now: now)
        SelfMetrics.write(statuses: store.statuses, reload: reloadStatus(), into: &buffer)
        ProcessMetrics.write(into: &buffer)
        return buffer
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get(RouterPath(telemetryPath)) { _, _ in
            let body = renderMetrics()
            return Response(status: .ok, headers: [.contentType: Self.textContentType], body: .init(byteBuffer: body))
        }
        router.head(RouterPath(telemetryPath)) { _, _ in
            let body = renderMetrics()
            return Response(
                status: .ok, headers: [.contentType: Self.textContentType, .contentLength: String(body.readableBytes)])
        }
        if telemetryPath != "/" {
            router.get("/") { _, _ in
                let html = LandingPage.render(telemetryPath: telemetryPath, statuses: store.statuses, now: Date().timeIntervalSince1970)
                return Response(
                    status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: html)))
            }
        }
        router.get("/-/healthy") { _, _ in
            Self.text(.ok, "Healthy\n")
        }
        router.get("/-/ready") { _, _ in
            if store.isReady { return Self.text(.ok, "Ready\n") }
            let waiting = store.statuses.filter { $0.status.lastPollSucceeded == nil }.map(\.source.description)
            return Self.text(.serviceUnavailable, "Not ready: waiting for the first poll of \(waiting.joined(separator: ", "))\n")
        }
        return router
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
