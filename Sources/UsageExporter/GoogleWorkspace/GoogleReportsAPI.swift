import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

/// The two Reports API usage endpoints, authenticated with the customer's service account, with Google's
/// errors mapped to reasons and the walk back to the newest complete report date.
public struct GoogleReportsAPI: Sendable {
    /// Which report.
    public enum Report: Sendable {
        /// `usage/dates/{date}`: the customer's aggregates.
        case customer
        /// `usage/users/all/dates/{date}`: one entry per user.
        case users

        var name: String { self == .customer ? "customer usage report" : "user usage report" }
    }

    let customer: GoogleWorkspaceCustomerConfiguration
    let tokens: GoogleAccessTokenProvider

    public init(customer: GoogleWorkspaceCustomerConfiguration, tokens: GoogleAccessTokenProvider) {
        self.customer = customer
        self.tokens = tokens
    }

    /// The newest report date with complete data, at most `max_lookback_days` back from yesterday
    /// (US Pacific), with every page of that date merged.
    public func newestCompleteReport(_ report: Report, context: PollContext) async throws -> (day: Int, reports: [GoogleUsageReportPage.Report]) {
        let yesterday = GoogleReportDate.day(at: context.now()) - 1
        let oldest = yesterday - (customer.maxLookbackDays - 1)
        var day = yesterday
        var tried: [String] = []
        while day >= oldest {
            tried.append(GoogleReportDate.format(day))
            switch try await allPages(report, day: day, context: context) {
            case .notYetAvailable(let latest):
                context.logger.debug("report date not yet available", metadata: ["date": "\(GoogleReportDate.format(day))"])
                day = latest.map { min($0, day - 1) } ?? day - 1
            case .available(let reports, let warnings):
                let incomplete = warnings.first { $0.code == "PARTIAL_DATA_AVAILABLE" || $0.code == "DATA_NOT_AVAILABLE" }
                if let incomplete {
                    context.logger.debug("report date incomplete", metadata: ["date": "\(GoogleReportDate.format(day))", "warning": "\(incomplete.code)"])
                    day -= 1
                } else if reports.allSatisfy({ $0.parameters.isEmpty }) {
                    context.logger.debug("report date empty", metadata: ["date": "\(GoogleReportDate.format(day))"])
                    day -= 1
                } else {
                    return (day, reports)
                }
            }
        }
        throw CollectorError(
            .upstream,
            "no complete \(report.name) within max_lookback_days (\(customer.maxLookbackDays)); tried \(tried.joined(separator: ", "))")
    }

    enum PagesResult {
        case available([GoogleUsageReportPage.Report], [GoogleUsageReportPage.Warning])
        /// HTTP 400 "Data for dates later than X is not yet available", with X.
        case notYetAvailable(Int?)
    }

    /// Every page of one date, following `nextPageToken`.
    func allPages(_ report: Report, day: Int, context: PollContext) async throws -> PagesResult {
        var reports: [GoogleUsageReportPage.Report] = []
        var warnings: [GoogleUsageReportPage.Warning] = []
        var pageToken: String?
        var pages = 0
        repeat {
            let url = Self.url(report, customer: customer, date: GoogleReportDate.format(day), pageToken: pageToken)
            let response = try await context.withRetries("\(report.name) for \(GoogleReportDate.format(day))") {
                try await get(url, context: context)
            }
            if response.status == 400, let latest = Self.notYetAvailableDate(in: response) {
                return .notYetAvailable(latest)
            }
            guard response.status == 200 else { throw classify(response) }
            let page: GoogleUsageReportPage
            do {
                page = try JSONDecoder().decode(GoogleUsageReportPage.self, from: response.body)
            } catch {
                throw CollectorError(.decode, "the \(report.name) answered with invalid JSON: \(WindsurfAPI.describe(error))")
            }
            reports += page.usageReports
            warnings += page.warnings
            pageToken = page.nextPageToken
            pages += 1
            if pages > 10_000 { throw CollectorError(.upstream, "the \(report.name) returned more than 10,000 pages") }
        } while pageToken != nil
        return .available(reports, warnings)
    }

    /// One authenticated GET. A 401 drops the cached token and tries once more with a new one.
    /// Transient HTTP errors are thrown as retryable so the caller's retry policy applies.
    func get(_ url: String, context: PollContext) async throws -> UpstreamResponse {
        var refreshed = false
        while true {
            let token = try await tokens.token(client: context.client, now: context.now(), record: context.recordRequest)
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            request.headers.add(name: "Accept", value: "application/json")
            request.headers.add(name: "User-Agent", value: "usage-exporter/\(ExporterVersion.version)")
            let response = try await context.client.send(request, timeout: customer.timeout, record: context.recordRequest)
            if response.status == 401, !refreshed {
                tokens.invalidate()
                refreshed = true
                continue
            }
            if let error = transientError(response) { throw error }
            return response
        }
    }

    private struct ErrorBody: Decodable {
        struct Detail: Decodable {
            let code: Int?
            let message: String?
            let status: String?
            let errors: [Item]?
        }
        struct Item: Decodable {
            let reason: String?
            let message: String?
        }
        let error: Detail?
    }

    static let quotaReasons: Set<String> = ["rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"]

    static func errorDetail(_ response: UpstreamResponse) -> (message: String, reasons: [String]) {
        guard let body = try? JSONDecoder().decode(ErrorBody.self, from: response.body), let error = body.error else {
            return (response.bodyExcerpt(), [])
        }
        return (error.message ?? error.status ?? response.bodyExcerpt(), (error.errors ?? []).compactMap(\.reason))
    }

    /// 429, 5xx and quota 403s: worth retrying.
    func transientError(_ response: UpstreamResponse) -> CollectorError? {
        let status = response.status
        switch status {
        case 429:
            return CollectorError(.rateLimited, "the Reports API rate limited the exporter (HTTP 429)", isRetryable: true, retryAfter: response.retryAfter)
        case 403:
            let detail = Self.errorDetail(response)
            guard detail.reasons.contains(where: Self.quotaReasons.contains) else { return nil }
            return CollectorError(
                .rateLimited, "the Reports API quota is exhausted (HTTP 403 \(detail.reasons.joined(separator: ",")))", isRetryable: true,
                retryAfter: response.retryAfter)
        case 500..<600:
            return CollectorError(
                .upstream, "the Reports API failed (HTTP \(status): \(Self.errorDetail(response).message))", isRetryable: true,
                retryAfter: response.retryAfter)
        default:
            return nil
        }
    }

    /// Final errors: what the admin must fix.
    func classify(_ response: UpstreamResponse) -> CollectorError {
        let detail = Self.errorDetail(response)
        switch response.status {
        case 401:
            return CollectorError(.auth, "the Reports API refused a freshly issued access token (HTTP 401: \(detail.message))")
        case 403:
            return CollectorError(.auth, """
                the Reports API denied access (HTTP 403: \(detail.message)); the subject \(customer.subject) must be an admin \
                with the Reports privilege, and the delegation must include \(ServiceAccountAssertion.reportsScope)
                """)
        case 400, 404:
            return CollectorError(.config, "the Reports API rejected the request (HTTP \(response.status): \(detail.message)); check customer_id and the parameter names")
        default:
            return CollectorError(.upstream, "the Reports API answered HTTP \(response.status): \(detail.message)")
        }
    }

    /// X of "Data for dates later than X is not yet available", when the 400 says so.
    static func notYetAvailableDate(in response: UpstreamResponse) -> Int?? {
        let message = errorDetail(response).message
        guard let range = message.range(of: "Data for dates later than ") else { return nil }
        let date = message[range.upperBound...].prefix(10)
        return .some(GoogleReportDate.parse(date))
    }

    /// Characters left as they are in a query value: RFC 3986 unreserved.
    static let queryValueAllowed: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return set
    }()

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: queryValueAllowed) ?? value
    }

    static func url(_ report: Report, customer: GoogleWorkspaceCustomerConfiguration, date: String, pageToken: String?) -> String {
        var query: [(String, String)] = []
        let parameters: [String]
        switch report {
        case .customer:
            parameters = customer.customerParameters
        case .users:
            parameters = customer.userParameters
            query.append(("maxResults", "1000"))
        }
        // "my_customer" is the Directory API's alias for the admin's own customer; the Reports API
        // uses the admin's customer when customerId is left out.
        if customer.customerID != "my_customer" { query.append(("customerId", customer.customerID)) }
        if !parameters.isEmpty { query.append(("parameters", parameters.joined(separator: ","))) }
        if let pageToken { query.append(("pageToken", pageToken)) }
        let path = report == .customer ? "/admin/reports/v1/usage/dates/\(date)" : "/admin/reports/v1/usage/users/all/dates/\(date)"
        let queryText = query.map { "\($0.0)=\(encode($0.1))" }.joined(separator: "&")
        return customer.baseURL + path + (queryText.isEmpty ? "" : "?" + queryText)
    }
}
