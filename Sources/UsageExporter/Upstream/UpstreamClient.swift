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
    /// Where `Retry-After` promises and query budgets are kept; nil sends every request at once.
    let pacing: Pacing?

    /// The pacer this client keeps its promises in, for one source.
    struct Pacing: Sendable {
        let pacer: UpstreamPacer
        /// The source's name: each has its own credentials, so its own limits.
        let scope: String
        /// Told the instant whenever a `Retry-After` or a budget holds a request of this source back.
        let onHoldBack: @Sendable (Double) -> Void
    }

    public init(httpClient: HTTPClient, maximumBodySize: Int = Self.defaultMaximumBodySize, clock: any ExporterClock = SystemClock()) {
        self.init(httpClient: httpClient, maximumBodySize: maximumBodySize, clock: clock, pacing: nil)
    }

    init(httpClient: HTTPClient, maximumBodySize: Int, clock: any ExporterClock, pacing: Pacing?) {
        self.httpClient = httpClient
        self.maximumBodySize = maximumBodySize
        self.clock = clock
        self.pacing = pacing
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
        UpstreamClient(httpClient: httpClient, maximumBodySize: maximumBodySize, clock: clock, pacing: pacing)
    }

    /// This client keeping the promises of source `scope` in `pacer`: a request to an endpoint that an earlier
    /// `Retry-After` holds back, or whose query budget is spent, is not sent (``send(_:timeout:budget:record:)``
    /// throws a retryable `rate_limited` error that says until when, which the retry policy waits out or ends
    /// the poll with); an error answer with `Retry-After` holds the endpoint back until the instant it names.
    /// `onHoldBack` is told that instant each time.
    public func paced(by pacer: UpstreamPacer, scope: String, onHoldBack: @escaping @Sendable (Double) -> Void = { _ in }) -> UpstreamClient {
        UpstreamClient(
            httpClient: httpClient,
            maximumBodySize: maximumBodySize,
            clock: clock,
            pacing: Pacing(pacer: pacer, scope: scope, onHoldBack: onHoldBack)
        )
    }

    /// Sends one request. Transport failures throw a retryable `CollectorError`; any HTTP status is returned.
    /// `record` is called once with the status code, or `error` when there was none; not at all when the
    /// request was held back (see ``paced(by:scope:onHoldBack:)``). A request with a `budget` counts as one of
    /// the budget's queries whatever its outcome (the upstream may have counted it).
    public func send(
        _ request: HTTPClientRequest,
        timeout: Duration,
        budget: QueryBudget? = nil,
        record: (String) -> Void
    ) async throws -> UpstreamResponse {
        let endpoint = Self.pacedEndpoint(of: request)
        try await checkPacing(endpoint: endpoint, budget: budget)
        let deadline = NIODeadline.now() + .nanoseconds(timeout.clampedNanoseconds)
        do {
            let response = try await httpClient.execute(request, deadline: deadline)
            // 304 Not Modified answers an If-None-Match; it redirects nowhere.
            if (300..<400).contains(response.status.code), response.status.code != 304 {
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
            let answer = UpstreamResponse(status: Int(response.status.code), headers: response.headers, body: body, receivedAt: clock.now())
            await keepPromise(of: answer, endpoint: endpoint)
            return answer
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

    /// Throws, without sending, when `endpoint` is held back for this client's source or `budget` is spent;
    /// otherwise counts the query of `budget` (written to the state file, if any).
    func checkPacing(endpoint: String, budget: QueryBudget?) async throws {
        guard let pacing else { return }
        let now = clock.now()
        if let until = pacing.pacer.heldBack(scope: pacing.scope, endpoint: endpoint, now: now) {
            pacing.onHoldBack(until)
            throw CollectorError(
                .rateLimited,
                "no request to \(endpoint) before \(RFC3339Timestamp.format(until)), the end of the wait the upstream asked for with Retry-After",
                isRetryable: true,
                retryAfter: .seconds(clamping: until - now),
                wasHeldBack: true
            )
        }
        if let budget, let until = pacing.pacer.reserve(budget, scope: pacing.scope, now: now) {
            pacing.onHoldBack(until)
            throw CollectorError(
                .rateLimited,
                """
                no query to \(endpoint) before \(RFC3339Timestamp.format(until)): its limit of \(budget.limit) queries \
                per \(PrometheusDuration.format(budget.window)) is used up
                """,
                isRetryable: true,
                retryAfter: .seconds(clamping: until - now),
                wasHeldBack: true
            )
        }
        if budget != nil { await pacing.pacer.persist(now: now) }
    }

    /// An error answer's `Retry-After` is a promise: no request of this source to `endpoint` before it ends.
    func keepPromise(of answer: UpstreamResponse, endpoint: String) async {
        guard let pacing, answer.status >= 400, let wait = answer.retryAfter, wait > .zero else { return }
        let until = answer.receivedAt + wait.seconds
        pacing.pacer.holdBack(scope: pacing.scope, endpoint: endpoint, until: until)
        pacing.onHoldBack(until)
        await pacing.pacer.persist(now: answer.receivedAt)
    }

    /// The endpoint a `Retry-After` holds back: scheme, host and path, with every date segment of the path as
    /// `{date}`, so that a Reports API 429 for one report date holds back the other dates too (the quota is the
    /// API's, not a date's).
    static func pacedEndpoint(of request: HTTPClientRequest) -> String {
        let endpoint = describe(request)
        guard endpoint.utf8.contains(UInt8(ascii: "-")) else { return endpoint }
        return endpoint.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            RFC3339Timestamp.day(ofDate: segment) != nil && segment.utf8.count == 10 ? "{date}" : String(segment)
        }.joined(separator: "/")
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
