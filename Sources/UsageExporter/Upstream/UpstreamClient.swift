import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// An HTTP answer from an upstream API, its body read in full.
public struct UpstreamResponse: Sendable {
    public let status: Int
    public let headers: HTTPHeaders
    public let body: ByteBuffer

    /// The wait a `Retry-After` header asks for, if any (seconds or an HTTP-date).
    public var retryAfter: Duration? {
        headers.first(name: "Retry-After").flatMap { RetryAfter.parse($0, now: Date().timeIntervalSince1970) }
    }

    /// The body as text, cut to `limit` characters, for error messages.
    public func bodyExcerpt(limit: Int = 200) -> String {
        let text = String(buffer: body)
        return text.count > limit ? String(text.prefix(limit)) + "…" : text
    }
}

/// Sends requests to the upstream APIs with a deadline and a body size cap, counting every request by
/// status code for `usage_exporter_upstream_requests_total` and classifying failures.
public struct UpstreamClient: Sendable {
    /// The largest answer read; a larger one fails the poll with reason `upstream`.
    public static let defaultMaximumBodySize = 256 * 1024 * 1024

    let httpClient: HTTPClient
    let maximumBodySize: Int

    public init(httpClient: HTTPClient, maximumBodySize: Int = Self.defaultMaximumBodySize) {
        self.httpClient = httpClient
        self.maximumBodySize = maximumBodySize
    }

    /// Sends one request. Transport failures throw a retryable `CollectorError`; any HTTP status is returned.
    /// `record` is called once with the status code, or `error` when there was none.
    public func send(
        _ request: HTTPClientRequest,
        timeout: Duration,
        record: (String) -> Void
    ) async throws -> UpstreamResponse {
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout.seconds * 1e9))
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: maximumBodySize)
            } catch is NIOTooManyBytesError {
                record(String(response.status.code))
                throw CollectorError(.upstream, "answer larger than the \(maximumBodySize)-byte limit from \(Self.describe(request))")
            }
            record(String(response.status.code))
            return UpstreamResponse(status: Int(response.status.code), headers: response.headers, body: body)
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
