import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// `GET /api/v2alpha/analytics/consumption` of the Devin Desktop (formerly Windsurf) Analytics API v2: the
/// service key as a Bearer token (permission Analytics Read), the query in the URL, cursor pagination
/// (`next_page_cursor` → `page_cursor`), `ETag`/`If-None-Match`, and a limit of 10 queries an hour per team
/// (the pages of a query are not counted).
extension WindsurfAPI {
    public static let consumptionPath = "/api/v2alpha/analytics/consumption"
    /// The documented limit: 10 queries an hour per team; following a `next_page_cursor` does not count.
    public static let consumptionBudget = QueryBudget(name: "consumption", limit: 10, window: .seconds(3600))
    /// Rows per page: the documented maximum (the default is 1,000), so that a large team needs few pages.
    public static let consumptionPageSize = 10_000
    /// An `ETag` longer than this is not kept (a real one is a hash).
    static let maximumETagLength = 512

    /// One consumption query: daily rows by user and model over the days of the longest window. Every page
    /// of the query repeats it, with the cursor.
    public struct ConsumptionQuery: Sendable, Equatable {
        /// `YYYY-MM-DD` of the first and the last day, both inclusive.
        public let startDate: String
        public let endDate: String

        /// The query that covers every window of `windows` (they all end at today 00:00 UTC).
        public init(windows: [WindsurfAnalyticsWindow]) {
            let longest = windows.max { $0.days < $1.days }
            startDate = longest?.firstDate ?? ""
            endDate = longest?.lastDate ?? ""
        }

        /// The query parameters, in the order they are sent.
        public var parameters: [(String, String)] {
            [
                ("granularity", "daily"), ("group_by", "user,model_uid"), ("start_date", startDate), ("end_date", endDate),
                ("page_size", String(WindsurfAPI.consumptionPageSize)),
            ]
        }
    }

    /// What one request of a query answered.
    public enum ConsumptionAnswer: Sendable {
        /// A page, with the `ETag` of the answer (kept for the first page's `If-None-Match`).
        case page(WindsurfConsumptionPage, etag: String?)
        /// 304 Not Modified: the answer to the `If-None-Match` sent is unchanged.
        case notModified
        /// A page request was refused because of its cursor (expired after 24 hours, or unknown): the query
        /// must start again from its first page.
        case cursorRejected(String)
    }

    /// The URL of one request of `query`: its first page (`cursor` nil) or the page `cursor` names.
    public func consumptionURL(_ query: ConsumptionQuery, cursor: String?) -> String {
        var parameters = query.parameters
        if let cursor { parameters.append(("page_cursor", cursor)) }
        return baseURL + Self.consumptionPath + "?" + parameters.map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
    }

    /// One request of `query`. The first page counts against the team's budget of 10 queries an hour (the
    /// client holds it back once the budget is used up); a page named by `cursor` does not. `ifNoneMatch`
    /// (first page only) asks for a 304 when the answer has not changed.
    public func consumption(
        _ query: ConsumptionQuery,
        cursor: String?,
        ifNoneMatch: String?,
        record: (String) -> Void
    ) async throws -> ConsumptionAnswer {
        var request = HTTPClientRequest(url: consumptionURL(query, cursor: cursor))
        request.method = .GET
        request.headers.add(name: "Authorization", value: "Bearer \(serviceKey.value)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "usage-exporter/\(ExporterVersion.version)")
        if cursor == nil, let ifNoneMatch { request.headers.add(name: "If-None-Match", value: ifNoneMatch) }
        let response = try await client.send(request, timeout: timeout, budget: cursor == nil ? Self.consumptionBudget : nil, record: record)
        switch response.status {
        case 200:
            let page: WindsurfConsumptionPage
            do {
                page = try JSONDecoder().decode(WindsurfConsumptionPage.self, from: response.body)
            } catch {
                throw CollectorError(.decode, "the consumption API answered with invalid JSON: \(DecodingErrorDescription.describe(error))")
            }
            let etag = response.headers.first(name: "ETag").flatMap { $0.utf8.count <= Self.maximumETagLength && !$0.isEmpty ? $0 : nil }
            return .page(page, etag: etag)
        case 304 where cursor == nil && ifNoneMatch != nil:
            return .notModified
        case 400, 404, 410:
            let message = consumptionErrorMessage(response)
            if cursor != nil, response.status == 410 || message.lowercased().contains("cursor") { return .cursorRejected(message) }
            throw classifyConsumption(response)
        default:
            throw classifyConsumption(response)
        }
    }

    /// An error answer as a reason: the key or its permission (`auth`), the request (`config`), the rate
    /// limit (`rate_limited`, retried after `Retry-After`), the server (`upstream`, retried).
    func classifyConsumption(_ response: UpstreamResponse) -> CollectorError {
        let message = consumptionErrorMessage(response)
        let status = response.status
        if status == 403 {
            return CollectorError(
                .auth,
                "the consumption API refused the service key (HTTP 403: \(message)); the key needs the Analytics Read permission"
            )
        }
        if status == 401 || Self.reason(ofMessage: message) == .auth {
            return CollectorError(
                .auth,
                "the consumption API refused the service key (HTTP \(status): \(message)); check the key (sent as a Bearer token)"
            )
        }
        switch status {
        case 429:
            return CollectorError(
                .rateLimited,
                "the consumption API rate limited the exporter (HTTP 429); it allows 10 queries an hour per team, for every client of the team's keys",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case 500..<600:
            return CollectorError(
                .upstream,
                "the consumption API failed (HTTP \(status): \(message))",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case 304:
            return CollectorError(.upstream, "the consumption API answered 304 Not Modified to a request it had no ETag for")
        case 400..<500:
            let hint =
                message.lowercased().contains("billing strategy")
                ? "; the team's billing strategy is not one this API serves yet: set consumption: false for it"
                : "; the exporter sent a request this API refuses"
            return CollectorError(.config, "the consumption API rejected the request (HTTP \(status): \(message))\(hint)")
        default:
            return CollectorError(.upstream, "the consumption API answered HTTP \(status): \(message)")
        }
    }

    /// The error text of an answer (`{"error": "…"}`, `{"error": {"message": "…"}}`, `{"message": "…"}` or
    /// `{"detail": "…"}`), or the start of its body; the service key is blanked out.
    func consumptionErrorMessage(_ response: UpstreamResponse) -> String {
        let decoded = try? JSONDecoder().decode(ConsumptionErrorBody.self, from: response.body)
        return redact(String((decoded?.text ?? response.bodyExcerpt()).prefix(300)))
    }

    private struct ConsumptionErrorBody: Decodable {
        let text: String?

        enum CodingKeys: String, CodingKey { case error, message, detail }
        enum NestedKeys: String, CodingKey { case message }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let error = try? container.decode(String.self, forKey: .error) {
                text = error
            } else if let nested = try? container.nestedContainer(keyedBy: NestedKeys.self, forKey: .error) {
                text = try? nested.decode(String.self, forKey: .message)
            } else {
                text = (try? container.decode(String.self, forKey: .message)) ?? (try? container.decode(String.self, forKey: .detail))
            }
        }
    }

    /// `text` with every byte outside the URL's unreserved characters percent-encoded.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ","):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return encoded
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
