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

    /// What a poll of one report found: the date, its entries, and what it had to leave out.
    public struct Answer: Sendable {
        public let day: Int
        public let reports: [GoogleUsageReportPage.Report]
        /// Applications whose data the newest answered date lacked (its warnings named them) and whose
        /// parameters were left out, when no complete date was found within `max_lookback_days`.
        public let omittedApplications: [String]
        /// The parameters asked for, in request spelling, after those Google refused.
        public let requested: GoogleRequestedParameters
    }

    /// The newest report date with complete data, at most `max_lookback_days` back from yesterday (US
    /// Pacific), with every page of that date merged. When the lookback is used up, the newest date that
    /// answered is used without the parameters of the applications its warnings named, so that one late or
    /// absent application never costs the others their data.
    public func newestCompleteReport(_ report: Report, context: PollContext) async throws -> Answer {
        var requested = GoogleRequestedParameters(configured: report == .customer ? customer.customerParameters : customer.userParameters)
        let yesterday = GoogleReportDate.day(at: context.now()) - 1
        let oldest = yesterday - (customer.maxLookbackDays - 1)
        var day = yesterday
        var tried: [String] = []
        var fallback: (day: Int, applications: Set<String>)?
        while day >= oldest {
            tried.append(GoogleReportDate.format(day))
            // An incomplete date is read no further than its first page, unless it is needed as the fallback.
            switch try await allPages(report, day: day, requested: &requested, untilIncomplete: true, context: context) {
            case .notYetAvailable(let latest):
                context.logger.debug("report date not yet available", metadata: ["date": "\(GoogleReportDate.format(day))"])
                day = latest.map { min($0, day - 1) } ?? day - 1
            case .available(let reports, let warnings):
                let incomplete = warnings.filter(\.marksIncompleteData)
                if reports.allSatisfy({ $0.parameters.isEmpty }) {
                    context.logger.debug("report date empty", metadata: ["date": "\(GoogleReportDate.format(day))"])
                } else if incomplete.isEmpty {
                    return Answer(day: day, reports: reports, omittedApplications: [], requested: requested)
                } else {
                    let applications = Self.applications(incomplete)
                    context.logger.debug(
                        "report date incomplete",
                        metadata: [
                            "date": "\(GoogleReportDate.format(day))",
                            "applications": "\(applications.map { $0.sorted().joined(separator: ",") } ?? "all")",
                        ]
                    )
                    if fallback == nil, let applications, !Self.without(applications, reports).allSatisfy({ $0.parameters.isEmpty }) {
                        fallback = (day, applications)
                    }
                }
                day -= 1
            }
        }
        // The fallback is read again in full; if it changed meanwhile, what it lacks now counts.
        if let fallback,
            case .available(let reports, let warnings) = try await allPages(report, day: fallback.day, requested: &requested, context: context),
            let applications = Self.applications(warnings).map({ $0.union(fallback.applications) })
        {
            let kept = Self.without(applications, reports)
            if !kept.allSatisfy({ $0.parameters.isEmpty }) {
                context.logger.warning(
                    "no complete \(report.name) within max_lookback_days; exporting the newest date without the applications whose data it lacks",
                    metadata: ["date": "\(GoogleReportDate.format(fallback.day))", "applications": "\(applications.sorted().joined(separator: ","))"]
                )
                return Answer(day: fallback.day, reports: kept, omittedApplications: applications.sorted(), requested: requested)
            }
        }
        throw CollectorError(
            .upstream,
            "no complete \(report.name) within max_lookback_days (\(customer.maxLookbackDays)); tried \(tried.joined(separator: ", "))"
        )
    }

    /// The applications the incomplete-data warnings among `warnings` name; nil when one of them names none,
    /// which leaves the whole date in doubt (it is then no fallback).
    static func applications(_ warnings: [GoogleUsageReportPage.Warning]) -> Set<String>? {
        let incomplete = warnings.filter(\.marksIncompleteData)
        guard incomplete.allSatisfy({ !$0.applications.isEmpty }) else { return nil }
        return Set(incomplete.flatMap(\.applications))
    }

    /// `reports` without the parameters of `applications`.
    static func without(_ applications: Set<String>, _ reports: [GoogleUsageReportPage.Report]) -> [GoogleUsageReportPage.Report] {
        reports.map { report in
            report.keeping { !applications.contains(String(GoogleParameterNames.application(of: $0.name))) }
        }
    }

    enum PagesResult {
        case available([GoogleUsageReportPage.Report], [GoogleUsageReportPage.Warning])
        /// HTTP 400 "Data for dates later than X is not yet available" or "Start date can not be later than X", with X.
        case notYetAvailable(Int?)
    }

    /// Every page of one date, following `nextPageToken`, or with `untilIncomplete` only the first when it
    /// warns that data is missing. A parameter name Google refuses (HTTP 400 "Invalid parameter name …") is
    /// dropped from `requested` for the rest of the poll and the date asked again.
    func allPages(
        _ report: Report,
        day: Int,
        requested: inout GoogleRequestedParameters,
        untilIncomplete: Bool = false,
        context: PollContext
    ) async throws -> PagesResult {
        var reports: [GoogleUsageReportPage.Report] = []
        var warnings: [GoogleUsageReportPage.Warning] = []
        // Every user's report names the same few parameters: one copy of each name for the whole poll.
        var names: Set<String> = []
        var pageToken: String?
        var pages = 0
        while true {
            let url = Self.url(report, customer: customer, parameters: requested.names, date: GoogleReportDate.format(day), pageToken: pageToken)
            let response = try await context.withRetries("\(report.name) for \(GoogleReportDate.format(day))") {
                try await get(url, context: context)
            }
            if response.status == 400, let latest = Self.notYetAvailableDate(in: response) {
                return .notYetAvailable(latest)
            }
            if response.status == 400, try refuseParameter(in: response, requested: &requested, report: report, context: context) {
                // Ask for the date again, from its first page, without the refused name.
                (reports, warnings, pageToken, pages) = ([], [], nil, 0)
                continue
            }
            guard response.status == 200 else { throw classify(response) }
            let page: GoogleUsageReportPage
            do {
                page = try JSONDecoder().decode(GoogleUsageReportPage.self, from: response.body)
            } catch {
                throw CollectorError(.decode, "the \(report.name) answered with invalid JSON: \(DecodingErrorDescription.describe(error))")
            }
            reports += page.usageReports.map { $0.sharingNames(&names) }
            warnings += page.warnings
            pageToken = page.nextPageToken
            if untilIncomplete, page.warnings.contains(where: \.marksIncompleteData) { break }
            pages += 1
            if pages > 10_000 { throw CollectorError(.upstream, "the \(report.name) returned more than 10,000 pages") }
            if pageToken == nil { break }
        }
        return .available(reports, warnings)
    }

    /// Whether a 400 refused one of the requested names, which is then dropped (with a warning log). Throws
    /// reason `config` when it refused the last one: an empty list would ask for every parameter.
    func refuseParameter(
        in response: UpstreamResponse,
        requested: inout GoogleRequestedParameters,
        report: Report,
        context: PollContext
    ) throws -> Bool {
        let message = Self.errorDetail(response).message
        guard let refused = requested.refuse(message) else { return false }
        context.logger.warning(
            "the Reports API refused a parameter name; asking again without it",
            metadata: ["parameter": "\(refused)", "report": "\(report.name)", "error": "\(message)"]
        )
        guard !requested.names.isEmpty else {
            throw CollectorError(
                .config,
                "the Reports API refused every configured parameter of the \(report.name): \(requested.refused.joined(separator: ", ")); check the parameter names"
            )
        }
        return true
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
            return CollectorError(
                .rateLimited,
                "the Reports API rate limited the exporter (HTTP 429)",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case 403:
            let detail = Self.errorDetail(response)
            guard detail.reasons.contains(where: Self.quotaReasons.contains) else { return nil }
            return CollectorError(
                .rateLimited,
                "the Reports API quota is exhausted (HTTP 403 \(detail.reasons.joined(separator: ",")))",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case 500..<600:
            return CollectorError(
                .upstream,
                "the Reports API failed (HTTP \(status): \(Self.errorDetail(response).message))",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
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
            return CollectorError(
                .auth,
                """
                the Reports API denied access (HTTP 403: \(detail.message)); the subject \(customer.subject) must be an admin \
                with the Reports privilege, and the delegation must include \(ServiceAccountAssertion.reportsScope)
                """
            )
        case 400, 404:
            return CollectorError(
                .config,
                "the Reports API rejected the request (HTTP \(response.status): \(detail.message)); check customer_id and the parameter names"
            )
        default:
            return CollectorError(.upstream, "the Reports API answered HTTP \(response.status): \(detail.message)")
        }
    }

    /// X of "Data for dates later than X is not yet available" or "Start date can not be later than X",
    /// when the 400 says so (X itself may be unreadable: then one day back).
    static func notYetAvailableDate(in response: UpstreamResponse) -> Int?? {
        let message = errorDetail(response).message
        for phrase in ["Data for dates later than ", "Start date can not be later than "] {
            guard let range = message.range(of: phrase) else { continue }
            return .some(GoogleReportDate.parse(message[range.upperBound...].prefix(10)))
        }
        return nil
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

    static func url(
        _ report: Report,
        customer: GoogleWorkspaceCustomerConfiguration,
        parameters: [String],
        date: String,
        pageToken: String?
    ) -> String {
        var query: [(String, String)] = []
        if report == .users { query.append(("maxResults", "1000")) }
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
