import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// Sends requests to the upstream APIs with a deadline and a body size cap, counting every request by
/// status code for `usage_exporter_upstream_requests_total` and classifying failures.
public struct UpstreamClient: Sendable {
    /// The largest answer read; a larger one fails the poll with reason `upstream`.
    public static let defaultMaximumBodySize = 256 * 1024 * 1024

    let httpClient: HTTPClient
    let maximumBodySize: Int
    /// Dates the answers, for `Retry-After` dates.
    let clock: any ExporterClock

    public init(httpClient: HTTPClient, maximumBodySize: Int = Self.defaultMaximumBodySize, clock: any ExporterClock = SystemClock()) {
        self.httpClient = httpClient
        self.maximumBodySize = maximumBodySize
        self.clock = clock
    }

    /// The HTTP client every upstream request goes through (the exporter's collectors and the history backfill):
    /// redirects never followed, since a request body may hold a service key or a signed assertion; a 10 s
    /// connect timeout; gzip answers decompressed up to 50 times their size.
    public static func makeHTTPClient() -> HTTPClient {
        HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(
                redirectConfiguration: .disallow,
                timeout: .init(connect: .seconds(10)),
                decompression: .enabled(limit: .ratio(50))
            )
        )
    }

    /// This client dating its answers by `clock`. The collector service hands its pollers the client dated by
    /// its own clock, so that `Retry-After` dates and the poll schedule count on one time line.
    func dating(by clock: any ExporterClock) -> UpstreamClient {
        UpstreamClient(httpClient: httpClient, maximumBodySize: maximumBodySize, clock: clock)
    }

    /// Sends one request. Transport failures throw a retryable `CollectorError`; any HTTP status is returned.
    /// `record` is called once with the status code, or `error` when there was none.
    public func send(
        _ request: HTTPClientRequest,
        timeout: Duration,
        record: (String) -> Void
    ) async throws -> UpstreamResponse {
        let deadline = NIODeadline.now() + .nanoseconds(timeout.clampedNanoseconds)
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            if (300..<400).contains(response.status.code) {
                // Redirects are never followed: the request body may hold a service key or a signed assertion.
                record(String(response.status.code))
                throw Self.redirectError(status: Int(response.status.code), location: response.headers.first(name: "Location"), request: request)
            }
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maximumBodySize)
            } catch is NIOTooManyBytesError {
                record(String(response.status.code))
                throw CollectorError(.upstream, "answer larger than the \(maximumBodySize)-byte limit from \(Self.describe(request))")
            }
            record(String(response.status.code))
            return UpstreamResponse(status: Int(response.status.code), headers: response.headers, body: body, receivedAt: clock.now())
        } catch let error as CollectorError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            if Task.isCancelled { throw CancellationError() }
            record("error")
            throw Self.classify(error, request: request, timeout: timeout)
        }
    }

    /// A 3xx answer: reason `config`, naming the status and the host it pointed to, never the rest of the URL.
    static func redirectError(status: Int, location: String?, request: HTTPClientRequest) -> CollectorError {
        let target = describe(request)
        let host = location.flatMap { Self.host(of: $0, relativeTo: request.url) }
        let destination = host.map { " to \($0)" } ?? ""
        return CollectorError(
            .config,
            "\(target) answered HTTP \(status), a redirect\(destination); redirects are not followed, so that credentials are never sent elsewhere: check base_url (or the key file's token_uri)"
        )
    }

    /// The host (and port) a `Location` value points to; a relative reference points to the request's own host.
    static func host(of location: String, relativeTo requestURL: String) -> String? {
        let bounded = String(location.prefix(2048))
        guard let url = URL(string: bounded, relativeTo: URL(string: requestURL)), let host = url.host, !host.isEmpty else { return nil }
        let port = url.port.map { ":\($0)" } ?? ""
        return String((host + port).prefix(253))
    }

    /// Maps a transport error to a reason; every transport error is worth a retry.
    static func classify(_ error: any Error, request: HTTPClientRequest, timeout: Duration) -> CollectorError {
        let target = describe(request)
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return CollectorError(.timeout, "no answer from \(target) within \(PrometheusDuration.format(timeout))", isRetryable: true)
            case .cancelled:
                return CollectorError(.network, "request to \(target) was cancelled", isRetryable: true)
            default:
                return CollectorError(.network, "request to \(target) failed: \(clientError)", isRetryable: true)
            }
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return CollectorError(.timeout, "connecting to \(target) timed out", isRetryable: true)
        }
        return CollectorError(.network, "request to \(target) failed: \(error)", isRetryable: true)
    }

    /// Scheme, host and path of a request: never its query or body, which may hold credentials.
    static func describe(_ request: HTTPClientRequest) -> String {
        guard let url = URL(string: request.url), let host = url.host else { return "upstream" }
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(url.scheme ?? "https")://\(host)\(port)\(url.path)"
    }
}
