import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The two Windsurf endpoints the exporter calls, with the API's errors mapped to reasons.
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
        let request = UserPageRequest(
            service_key: serviceKey.value, group_name: group,
            start_timestamp: RFC3339Timestamp.format(start), end_timestamp: RFC3339Timestamp.format(end))
        let page = try await post("/api/v1/UserPageAnalytics", request, as: WindsurfUserPage.self, record: record)
        try checkErrorField(page.error, endpoint: "UserPageAnalytics")
        return page
    }

    /// `POST /api/v1/GetTeamCreditBalance`; the service key needs the Billing Read permission.
    public func creditBalance(record: (String) -> Void) async throws -> WindsurfCreditBalance {
        let balance = try await post(
            "/api/v1/GetTeamCreditBalance", CreditBalanceRequest(service_key: serviceKey.value), as: WindsurfCreditBalance.self,
            record: record)
        try checkErrorField(balance.error, endpoint: "GetTeamCreditBalance")
        return balance
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

    private func post<Body: Encodable, Answer: Decodable>(
        _ path: String, _ body: Body, as: Answer.Type, record: (String) -> Void
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "usage-exporter/\(ExporterVersion.version)")
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(body)))
        let endpoint = String(path.split(separator: "/").last ?? "")

        let response = try await client.send(request, timeout: timeout, record: record)
        guard response.status == 200 else { throw classify(response, endpoint: endpoint) }
        do {
            return try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw CollectorError(.decode, "\(endpoint) answered with invalid JSON: \(Self.describe(error))")
        }
    }

    /// Maps an HTTP error status to a reason. Auth and validation errors are final; 429 and 5xx are retried.
    func classify(_ response: UpstreamResponse, endpoint: String) -> CollectorError {
        let message = redact(
            (try? JSONDecoder().decode(ErrorBody.self, from: response.body))?.error ?? response.bodyExcerpt())
        let status = response.status
        switch status {
        case 401, 403:
            let permission = endpoint == "GetTeamCreditBalance" ? "Billing Read" : "Teams Read-only"
            return CollectorError(
                .auth, "\(endpoint) refused the service key (HTTP \(status): \(message)); check the key and that it has the \(permission) permission")
        case 429:
            return CollectorError(.rateLimited, "\(endpoint) rate limited the exporter (HTTP 429)", isRetryable: true, retryAfter: response.retryAfter)
        case 400..<500:
            if message.lowercased().contains("invalid group name") {
                return CollectorError(.config, "\(endpoint): \(message); check the groups of this team")
            }
            return CollectorError(.config, "\(endpoint) rejected the request (HTTP \(status): \(message))")
        case 500..<600:
            return CollectorError(.upstream, "\(endpoint) failed (HTTP \(status): \(message))", isRetryable: true, retryAfter: response.retryAfter)
        default:
            return CollectorError(.upstream, "\(endpoint) answered HTTP \(status): \(message)")
        }
    }

    /// An `error` field in a 200 answer.
    func checkErrorField(_ error: String, endpoint: String) throws {
        guard !error.isEmpty else { return }
        let message = redact(error)
        let lowered = message.lowercased()
        if lowered.contains("service key") || lowered.contains("permission") {
            throw CollectorError(.auth, "\(endpoint): \(message)")
        }
        if lowered.contains("group") {
            throw CollectorError(.config, "\(endpoint): \(message)")
        }
        throw CollectorError(.upstream, "\(endpoint): \(message)")
    }

    /// Upstream text with the service key blanked out, in case an error message echoes it.
    func redact(_ text: String) -> String {
        guard !serviceKey.value.isEmpty, text.contains(serviceKey.value) else { return text }
        return text.replacingOccurrences(of: serviceKey.value, with: "<secret>")
    }

    static func describe(_ error: any Error) -> String {
        guard let decodingError = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return path.isEmpty ? "" : " at \(path)"
        }
        switch decodingError {
        case .dataCorrupted(let context): return context.debugDescription + path(context)
        case .keyNotFound(let key, let context): return "missing \(key.stringValue)" + path(context)
        case .typeMismatch(let type, let context): return "expected \(type)" + path(context)
        case .valueNotFound(let type, let context): return "expected \(type)" + path(context)
        @unknown default: return "\(decodingError)"
        }
    }
}
