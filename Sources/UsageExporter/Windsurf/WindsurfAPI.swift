import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// An answer of a Windsurf endpoint: every one carries the API's `error` field (empty when none).
protocol WindsurfAnswer: Decodable {
    var error: String { get }
}

/// The Windsurf endpoints the exporter calls, with the API's errors mapped to reasons.
public struct WindsurfAPI: Sendable {
    public let baseURL: String
    let serviceKey: Secret
    let timeout: Duration
    let client: UpstreamClient

    public init(baseURL: String, serviceKey: Secret, timeout: Duration, client: UpstreamClient) {
        self.baseURL = baseURL
        self.serviceKey = serviceKey
        self.timeout = timeout
        self.client = client
    }

    /// `POST /api/v1/UserPageAnalytics` for the whole team (`group` nil) or one group.
    public func userPage(group: String?, start: Double, end: Double, record: (String) -> Void) async throws -> WindsurfUserPage {
        try await userPageAnalytics(group: group, start: start, end: end, as: WindsurfUserPage.self, record: record)
    }

    /// The `email` and `apiKey` of every user of the team (`group` nil) or of one group, for the analytics
    /// collector's join. The keys never leave memory.
    public func apiKeys(group: String?, start: Double, end: Double, record: (String) -> Void) async throws -> WindsurfAPIKeyPage {
        try await userPageAnalytics(group: group, start: start, end: end, as: WindsurfAPIKeyPage.self, record: record)
    }

    private func userPageAnalytics<Answer: WindsurfAnswer>(
        group: String?,
        start: Double,
        end: Double,
        as: Answer.Type,
        record: (String) -> Void
    ) async throws -> Answer {
        let request = UserPageRequest(
            service_key: serviceKey.value,
            group_name: group,
            start_timestamp: RFC3339Timestamp.format(start),
            end_timestamp: RFC3339Timestamp.format(end)
        )
        return try await post("/api/v1/UserPageAnalytics", request, as: Answer.self, record: record)
    }

    /// `POST /api/v1/GetTeamCreditBalance`; the service key needs the Billing Read permission.
    public func creditBalance(record: (String) -> Void) async throws -> WindsurfCreditBalance {
        try await post(
            "/api/v1/GetTeamCreditBalance",
            CreditBalanceRequest(service_key: serviceKey.value),
            as: WindsurfCreditBalance.self,
            record: record
        )
    }

    /// `POST /api/v1/CascadeAnalytics` for one window, with the three Cascade query requests.
    public func cascadeAnalytics(group: String?, window: WindsurfAnalyticsWindow, record: (String) -> Void) async throws -> WindsurfCascadeAnalytics {
        try await post(
            "/api/v1/CascadeAnalytics",
            cascadeAnalyticsRequest(group: group, window: window),
            as: WindsurfCascadeAnalytics.self,
            record: record
        )
    }

    /// `POST /api/v1/Analytics` (the custom analytics API) for one window, with the four query requests of
    /// ``WindsurfAnalyticsQueries``.
    public func customAnalytics(group: String?, window: WindsurfAnalyticsWindow, record: (String) -> Void) async throws -> WindsurfCustomAnalytics {
        try await post(
            "/api/v1/Analytics",
            customAnalyticsRequest(group: group, window: window),
            as: WindsurfCustomAnalytics.self,
            record: record
        )
    }

    /// `POST /api/v1/GetUsageConfig` with `team_level: true`; the service key needs Billing Read.
    public func usageConfig(record: (String) -> Void) async throws -> WindsurfUsageConfig {
        try await post(
            "/api/v1/GetUsageConfig",
            UsageConfigRequest(service_key: serviceKey.value, team_level: true),
            as: WindsurfUsageConfig.self,
            record: record
        )
    }

    /// The exact body of the `CascadeAnalytics` request for `group` and `window` (the benchmark sends it too).
    public func cascadeAnalyticsRequest(group: String?, window: WindsurfAnalyticsWindow) throws -> Data {
        try JSONEncoder().encode(
            CascadeAnalyticsRequest(
                service_key: serviceKey.value,
                group_name: group,
                start_timestamp: RFC3339Timestamp.format(window.start),
                end_timestamp: RFC3339Timestamp.format(window.end),
                query_requests: WindsurfAnalyticsQueries.cascadeRequests
            )
        )
    }

    /// The exact body of the custom `Analytics` request for `group` and `window` (the benchmark sends it too).
    public func customAnalyticsRequest(group: String?, window: WindsurfAnalyticsWindow) throws -> Data {
        try JSONEncoder().encode(
            CustomAnalyticsRequest(
                service_key: serviceKey.value,
                group_name: group,
                start_timestamp: RFC3339Timestamp.format(window.start),
                end_timestamp: RFC3339Timestamp.format(window.end),
                query_requests: WindsurfAnalyticsQueries.customRequests(window: window)
            )
        )
    }

    private struct CascadeAnalyticsRequest: Encodable {
        let service_key: String
        let group_name: String?
        let start_timestamp: String
        let end_timestamp: String
        let query_requests: [[String: [String: String]]]
    }

    private struct CustomAnalyticsRequest: Encodable {
        let service_key: String
        let group_name: String?
        let start_timestamp: String
        let end_timestamp: String
        let query_requests: [WindsurfAnalyticsQueries.Query]
    }

    private struct UsageConfigRequest: Encodable {
        let service_key: String
        let team_level: Bool
    }

    private struct UserPageRequest: Encodable {
        let service_key: String
        let group_name: String?
        let start_timestamp: String
        let end_timestamp: String
    }

    private struct CreditBalanceRequest: Encodable {
        let service_key: String
    }

    private struct ErrorBody: Decodable {
        let error: String?
    }

    private func post<Body: Encodable, Answer: WindsurfAnswer>(
        _ path: String,
        _ body: Body,
        as: Answer.Type,
        record: (String) -> Void
    ) async throws -> Answer {
        try await post(path, try JSONEncoder().encode(body), as: Answer.self, record: record)
    }

    /// Sends `body` to `path` and decodes the answer; an error status or an `error` field in a 200 answer throws.
    private func post<Answer: WindsurfAnswer>(_ path: String, _ body: Data, as: Answer.Type, record: (String) -> Void) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "usage-exporter/\(ExporterVersion.version)")
        request.body = .bytes(ByteBuffer(data: body))
        let endpoint = String(path.split(separator: "/").last ?? "")

        let response = try await client.send(request, timeout: timeout, record: record)
        guard response.status == 200 else { throw classify(response, endpoint: endpoint) }
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw CollectorError(.decode, "\(endpoint) answered with invalid JSON: \(DecodingErrorDescription.describe(error))")
        }
        try checkErrorField(answer.error, endpoint: endpoint)
        return answer
    }

    /// The permission a service key needs for `endpoint`, for error hints.
    static func permission(for endpoint: String) -> String {
        switch endpoint {
        case "GetTeamCreditBalance", "GetUsageConfig": "Billing Read"
        case "Analytics": "Analytics Read (or Teams Read-only)"
        default: "Teams Read-only"
        }
    }

    /// The reason a documented `error` message gives, whatever the HTTP status (the docs give statuses for
    /// none but 429): the key or its permissions (`auth`), the request as configured (`config`); nil for any
    /// other text, which is then classified by its status.
    static func reason(ofMessage message: String) -> ErrorReason? {
        let lowered = message.lowercased()
        if lowered.contains("invalid service key") || lowered.contains("insufficient permission") { return .auth }
        let requestProblems = [
            "invalid query table", "all selection fields should have an aggregation function", "duplicate field alias",
            "invalid aggregation function", "tried to aggregate on a distinct field", "at least one field or aggregation is required",
            "invalid group name", "invalid timestamp format", "cannot use both group_name and emails",
        ]
        return requestProblems.contains(where: lowered.contains) ? .config : nil
    }

    /// Maps an error answer to a reason: by its `error` text when that is one the API documents, else by
    /// status. Auth and validation errors are final; 429 and 5xx are retried.
    func classify(_ response: UpstreamResponse, endpoint: String) -> CollectorError {
        let message = redact(
            (try? JSONDecoder().decode(ErrorBody.self, from: response.body))?.error ?? response.bodyExcerpt()
        )
        let status = response.status
        switch (Self.reason(ofMessage: message), status) {
        case (.auth?, _), (nil, 401), (nil, 403):
            return CollectorError(
                .auth,
                "\(endpoint) refused the service key (HTTP \(status): \(message)); check the key and that it has the \(Self.permission(for: endpoint)) permission"
            )
        case (let reason?, _):
            let hint = message.lowercased().contains("group") ? "; check the groups of this team" : "; the exporter sent a request this API refuses"
            return CollectorError(reason, "\(endpoint) rejected the request (HTTP \(status): \(message))\(hint)")
        case (nil, 429):
            return CollectorError(
                .rateLimited,
                "\(endpoint) rate limited the exporter (HTTP 429)",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case (nil, 400..<500):
            return CollectorError(.config, "\(endpoint) rejected the request (HTTP \(status): \(message))")
        case (nil, 500..<600):
            return CollectorError(.upstream, "\(endpoint) failed (HTTP \(status): \(message))", isRetryable: true, retryAfter: response.retryAfter)
        default:
            return CollectorError(.upstream, "\(endpoint) answered HTTP \(status): \(message)")
        }
    }

    /// An `error` field in a 200 answer: a documented message gives its reason; other text about the key
    /// or a permission is `auth`, about a group `config`, anything else `upstream`.
    func checkErrorField(_ error: String, endpoint: String) throws {
        guard !error.isEmpty else { return }
        let message = redact(error)
        let lowered = message.lowercased()
        let reason =
            Self.reason(ofMessage: message)
            ?? (lowered.contains("service key") || lowered.contains("permission") ? .auth : lowered.contains("group") ? .config : .upstream)
        if reason == .auth {
            throw CollectorError(.auth, "\(endpoint): \(message); check the key and that it has the \(Self.permission(for: endpoint)) permission")
        }
        throw CollectorError(reason, "\(endpoint): \(message)")
    }

    /// Upstream text with the service key blanked out, in case an error message echoes it.
    func redact(_ text: String) -> String {
        guard !serviceKey.value.isEmpty, text.contains(serviceKey.value) else { return text }
        return text.replacingOccurrences(of: serviceKey.value, with: "<secret>")
    }
}
