import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import _CryptoExtras

/// A loopback HTTP server that speaks Google's OAuth token endpoint (verifying the RS256 assertion
/// against the service account's public key and its claims) and the two Reports API usage endpoints,
/// with the API's reporting lag, pagination (page tokens containing `+`, `/` and `=`), and faults.
public final class GoogleSimulator: Sendable {
    /// A request the simulator received, for tests to inspect.
    public struct ReceivedRequest: Sendable {
        public let path: String
        /// The query as sent, before decoding.
        public let rawQuery: String
        public let receivedAt: Date
        /// The fault the request was answered with, if any.
        public var fault: GoogleFault? = nil
    }

    struct FaultRule {
        let fault: GoogleFault
        /// The report it applies to (the Reports API faults); nil: both.
        let report: GoogleReportKind?
        var remaining: Int?
    }

    struct State {
        var customer: SimulatedWorkspaceCustomer
        var tokens: [String: (expiresAt: Double, admin: Bool)] = [:]
        var faults: [FaultRule] = []
        var requests = RequestLog<ReceivedRequest>()
        var issuedTokens = 0
        var tokenLifetime: Int = 3599
        var unavailableApplication: String?
    }

    public let account: SimulatedServiceAccount
    /// The user the service account must impersonate to read reports.
    public let adminSubject: String
    /// How many users one page of the user report holds at most.
    public let userPageSize: Int
    private let state: Mutex<State>
    private let host = SimulatorHost(label: "google-simulator")
    /// The clock that decides which report dates are complete; tokens always use the real time.
    private let clock: @Sendable () -> Double

    public static let customerPageToken = "C03az79cb+page/2=="

    public init(
        customer: SimulatedWorkspaceCustomer,
        account: SimulatedServiceAccount,
        adminSubject: String = "admin@example.com",
        userPageSize: Int = 50,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) {
        self.account = account
        self.adminSubject = adminSubject
        self.userPageSize = userPageSize
        self.clock = clock
        self.state = Mutex(State(customer: customer))
    }

    // MARK: Running

    @discardableResult
    public func start(host address: String = "127.0.0.1", port: Int = 0) async throws -> String {
        try await host.start(router: makeRouter(), host: address, port: port)
    }

    public var baseURL: String { host.baseURL }
    public var tokenURI: String { baseURL + "/token" }

    /// The key file JSON for this simulator's token endpoint.
    public func keyFileJSON() -> String { account.keyFileJSON(tokenURI: tokenURI) }

    public func stop() async {
        await host.stop()
    }

    // MARK: Control

    /// Makes requests fail with `fault`: for the Reports API faults, on `report` only (nil: both reports), for
    /// the next `count` requests (nil: until cleared).
    public func inject(_ fault: GoogleFault, on report: GoogleReportKind? = nil, count: Int? = nil) {
        state.withLock { $0.faults.append(FaultRule(fault: fault, report: report, remaining: count)) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    public var receivedRequests: [ReceivedRequest] { state.withLock { $0.requests.entries } }
    public var issuedTokenCount: Int { state.withLock { $0.issuedTokens } }
    public var customer: SimulatedWorkspaceCustomer { state.withLock { $0.customer } }

    public func updateCustomer(_ update: @Sendable (inout SimulatedWorkspaceCustomer) -> Void) {
        state.withLock { update(&$0.customer) }
    }

    /// Sets `expires_in` of newly issued tokens.
    public func setTokenLifetime(seconds: Int) {
        state.withLock { $0.tokenLifetime = seconds }
    }

    /// How many days a report takes to be complete: the customer report is usually complete two days
    /// back, the per-user report up to four (dates in between answer with PARTIAL_DATA_AVAILABLE).
    public static func lag(_ report: GoogleReportKind) -> Int { report == .customer ? 2 : 4 }

    /// Applications whose data is still partial within the lag.
    public static let lateApplications = ["gmail", "drive"]

    /// Parameters asked for under another name than the answer carries (answer name → request name), as
    /// the real API does: `drive:last_active_usage_time` must be asked for as `drive:timestamp_last_active_usage`.
    public static let requestNames = ["drive:last_active_usage_time": "drive:timestamp_last_active_usage"]
    static let answerNames = Dictionary(uniqueKeysWithValues: requestNames.map { ($1, $0) })

    /// The newest date with complete data for `report`, US Pacific.
    public func newestCompleteDay(_ report: GoogleReportKind = .customer) -> Int { Self.pacificDay(clock()) - Self.lag(report) }

    /// Makes `application` never available: every date answers DATA_NOT_AVAILABLE naming it, without its
    /// parameters, as for an application that is switched off (nil: every application available).
    public func setUnavailableApplication(_ application: String?) {
        state.withLock { $0.unavailableApplication = application }
    }

    /// The US Pacific (UTC−8) day number of `time`. The simulator keeps its own date arithmetic, apart from
    /// the exporter's `GoogleReportDate`, so that a mistake there cannot pass the tests by agreeing with itself.
    public static func pacificDay(_ time: Double) -> Int { Int(((time - 8 * 3600) / 86_400).rounded(.down)) }

    /// `yyyy-mm-dd` of a day number, by Foundation (independently of the exporter's own formatting).
    public static func format(day: Int) -> String {
        let date = Date(timeIntervalSince1970: Double(day) * 86_400)
        return String(date.formatted(.iso8601).prefix(10))
    }

    static func parse(date: String) -> Int? {
        guard let parsed = try? Date(date + "T00:00:00Z", strategy: .iso8601) else { return nil }
        return Int((parsed.timeIntervalSince1970 / 86_400).rounded(.down))
    }

    // MARK: HTTP

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/token") { request, _ in try await self.token(request) }
        router.get("/admin/reports/v1/usage/dates/:date") { request, context in
            try await self.report(request, date: context.parameters.get("date") ?? "", users: false)
        }
        router.get("/admin/reports/v1/usage/users/all/dates/:date") { request, context in
            try await self.report(request, date: context.parameters.get("date") ?? "", users: true)
        }
        return router
    }

    private func takeFault(report: GoogleReportKind? = nil, _ matches: (GoogleFault) -> Bool) -> GoogleFault? {
        state.withLock { state in
            guard let index = state.faults.firstIndex(where: { matches($0.fault) && ($0.report == nil || $0.report == report) }) else { return nil }
            let fault = state.faults[index].fault
            if let remaining = state.faults[index].remaining {
                if remaining <= 1 { state.faults.remove(at: index) } else { state.faults[index].remaining = remaining - 1 }
            }
            return fault
        }
    }

    private func record(_ request: Request, fault: GoogleFault? = nil) {
        let rawQuery = request.uri.query ?? ""
        state.withLock { $0.requests.append(ReceivedRequest(path: request.uri.path, rawQuery: rawQuery, receivedAt: Date(), fault: fault)) }
    }

    /// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
    static func formDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), let high = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex), high < utf8.endIndex,
                let low = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), low < utf8.endIndex,
                let value = UInt8(String(decoding: [utf8[high], utf8[low]], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                index = low
            } else {
                bytes.append(byte)
            }
            index = utf8.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func formFields(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            fields[formDecode(parts[0])] = parts.count > 1 ? formDecode(parts[1]) : ""
        }
        return fields
    }

    // MARK: Token endpoint

    private func token(_ request: Request) async throws -> Response {
        record(request)
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        if let fault = takeFault(\.isTokenFault) {
            switch fault {
            case .tokenInvalidGrant:
                return Self.json(.badRequest, #"{"error":"invalid_grant","error_description":"Invalid grant: account not found"}"#)
            case .tokenUnauthorizedClient:
                return Self.json(
                    .unauthorized,
                    #"{"error":"unauthorized_client","error_description":"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested."}"#
                )
            case .tokenHang:
                try await host.waitUntilStopped()
                return Self.json(.serviceUnavailable, #"{"error":"simulator stopped"}"#)
            case .tokenRedirect(let status, let location):
                return Self.redirect(status: status, location: location)
            default:
                return Self.json(.badRequest, #"{"error":"invalid_scope","error_description":"Invalid OAuth scope or ID token audience provided."}"#)
            }
        }
        let fields = Self.formFields(body)
        guard fields["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer", let assertion = fields["assertion"] else {
            return Self.json(.badRequest, #"{"error":"unsupported_grant_type","error_description":"Invalid grant_type: "}"#)
        }
        switch verify(assertion) {
        case .failure(let error):
            return error.response
        case .success(let admin):
            let token = "ya29.simulated-" + UUID().uuidString
            let lifetime = state.withLock { state in
                state.tokens[token] = (Date().timeIntervalSince1970 + Double(state.tokenLifetime), admin)
                state.issuedTokens += 1
                return state.tokenLifetime
            }
            // expires_in as a number on every other token, as a string otherwise: both occur in the wild.
            let expires = state.withLock { $0.issuedTokens % 2 == 0 } ? JSONText.string(String(lifetime)) : String(lifetime)
            return Self.json(.ok, #"{"access_token":"\#(token)","expires_in":\#(expires),"token_type":"Bearer"}"#)
        }
    }

    private static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }

    private struct Header: Decodable {
        let alg: String?
        let typ: String?
        let kid: String?
    }

    private struct Claims: Decodable {
        let iss: String?
        let sub: String?
        let scope: String?
        let aud: String?
        let iat: Double?
        let exp: Double?
    }

    /// Checks the assertion as Google does: signature, header and claims. Success says whether the subject is the admin.
    private func verify(_ assertion: String) -> Result<Bool, ResponseError> {
        func invalid(_ description: String) -> Result<Bool, ResponseError> {
            .failure(
                ResponseError(
                    Self.json(
                        .badRequest,
                        JSONText.object([("error", JSONText.string("invalid_grant")), ("error_description", JSONText.string(description))])
                    )
                )
            )
        }
        let parts = assertion.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Self.base64URLDecode(parts[0]), let claimsData = Self.base64URLDecode(parts[1]),
            let signature = Self.base64URLDecode(parts[2]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData),
            let claims = try? JSONDecoder().decode(Claims.self, from: claimsData)
        else { return invalid("Invalid JWT: not a JWS") }
        let signingInput = Data((parts[0] + "." + parts[1]).utf8)
        guard
            account.publicKey.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature),
                for: signingInput,
                padding: .insecurePKCS1v1_5
            )
        else {
            return invalid("Invalid JWT Signature.")
        }
        guard header.alg == "RS256" else { return invalid("Invalid JWT: alg must be RS256") }
        guard header.kid == account.privateKeyID else { return invalid("Invalid JWT: unknown kid") }
        guard claims.iss == account.clientEmail else { return invalid("Invalid JWT: iss is not the service account") }
        guard claims.aud == tokenURI else { return invalid("Invalid JWT: aud must be the token endpoint") }
        let now = Date().timeIntervalSince1970
        guard let iat = claims.iat, let exp = claims.exp, abs(iat - now) < 300, exp > now, exp - iat <= 3600 else {
            return invalid("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values")
        }
        guard let scope = claims.scope, scope.split(separator: " ").contains("https://www.googleapis.com/auth/admin.reports.usage.readonly") else {
            return .failure(
                ResponseError(
                    Self.json(.badRequest, #"{"error":"invalid_scope","error_description":"Invalid OAuth scope or ID token audience provided."}"#)
                )
            )
        }
        guard let subject = claims.sub, !subject.isEmpty else { return invalid("Invalid JWT: no sub") }
        return .success(subject == adminSubject)
    }

    struct ResponseError: Error {
        let response: Response
        init(_ response: Response) { self.response = response }
    }

    // MARK: Reports API

    private static func googleError(_ status: HTTPResponse.Status, _ message: String, reason: String, statusText: String) -> Response {
        json(
            status,
            """
            {"error":{"code":\(status.code),"message":\(JSONText.string(message)),"errors":[{"message":\(JSONText.string(message)),"domain":"global","reason":\(JSONText.string(reason))}],"status":\(JSONText.string(statusText))}}
            """
        )
    }

    private func report(_ request: Request, date: String, users: Bool) async throws -> Response {
        let authorization = request.headers[.authorization] ?? ""
        let token = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : ""
        let grant = state.withLock { $0.tokens[token] }
        let fault = takeFault(report: users ? .user : .customer, { !$0.isTokenFault })
        record(request, fault: fault)
        if let fault {
            switch fault {
            case .unauthorized:
                return Self.googleError(
                    .unauthorized,
                    "Request had invalid authentication credentials.",
                    reason: "authError",
                    statusText: "UNAUTHENTICATED"
                )
            case .forbidden:
                return Self.googleError(
                    .forbidden,
                    "Not Authorized to access this resource/api",
                    reason: "forbidden",
                    statusText: "PERMISSION_DENIED"
                )
            case .quotaExceeded:
                return Self.googleError(
                    .forbidden,
                    "Quota exceeded for quota metric 'Queries'",
                    reason: "rateLimitExceeded",
                    statusText: "PERMISSION_DENIED"
                )
            case .tooManyRequests(let retryAfter):
                var response = Self.googleError(.tooManyRequests, "Too many requests", reason: "rateLimitExceeded", statusText: "RESOURCE_EXHAUSTED")
                if let retryAfter { response.headers[.retryAfter] = retryAfter }
                return response
            case .unavailable:
                return Self.googleError(
                    .serviceUnavailable,
                    "The service is currently unavailable.",
                    reason: "backendError",
                    statusText: "UNAVAILABLE"
                )
            case .malformed:
                return Self.json(.ok, "<!DOCTYPE html><html><body>Error 502 (Server Error)</body></html>")
            case .hang:
                try await host.waitUntilStopped()
                return Self.googleError(.serviceUnavailable, "simulator stopped", reason: "backendError", statusText: "UNAVAILABLE")
            case .redirect(let status, let location):
                return Self.redirect(status: status, location: location)
            case .dataNotAvailable:
                guard grant != nil else { break }
                return Self.json(
                    .ok,
                    #"{"kind":"admin#reports#usageReports","warnings":[{"code":"DATA_NOT_AVAILABLE","message":"No data available for the requested date.","data":[{"key":"application","value":"accounts"}]}]}"#
                )
            case .emptyReports:
                guard grant != nil else { break }
                return Self.json(.ok, #"{"kind":"admin#reports#usageReports"}"#)
            default:
                break
            }
        }
        guard let grant, grant.expiresAt > Date().timeIntervalSince1970 else {
            return Self.googleError(
                .unauthorized,
                "Request had invalid authentication credentials. Expected OAuth 2 access token.",
                reason: "authError",
                statusText: "UNAUTHENTICATED"
            )
        }
        guard grant.admin else {
            return Self.googleError(.forbidden, "Not Authorized to access this resource/api", reason: "forbidden", statusText: "PERMISSION_DENIED")
        }
        let query = Self.formFields(request.uri.query ?? "")
        guard let day = Self.parse(date: date) else {
            return Self.googleError(
                .badRequest,
                "Invalid value '\(date)'. Values must match the following regular expression: '(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)'",
                reason: "invalid",
                statusText: "INVALID_ARGUMENT"
            )
        }
        let report: GoogleReportKind = users ? .user : .customer
        let today = Self.pacificDay(clock())
        let customer = self.customer
        if let history = customer.history, day < today - history.retentionDays {
            return Self.googleError(
                .badRequest,
                "Start date can not be earlier than \(Self.format(day: today - history.retentionDays))",
                reason: "invalid",
                statusText: "INVALID_ARGUMENT"
            )
        }
        if day >= today {
            // The two reports say "not yet" in the two ways Google does.
            let message =
                users
                ? "Start date can not be later than \(Self.format(day: today - 1))"
                : "Data for dates later than \(Self.format(day: today - 1)) is not yet available. Please check back later"
            return Self.googleError(.badRequest, message, reason: "invalid", statusText: "INVALID_ARGUMENT")
        }
        // Request names are translated to the names the answer carries; a name Google does not know (or an
        // answer-only spelling) is refused, naming the parameter without its application.
        let requestedNames = query["parameters"].map { $0.split(separator: ",").map(String.init) }
        // Names with data, and names Google knows that have no data on these dates (they are not in the answer).
        let known = Set(users ? customer.users.flatMap { $0.parameters.map(\.name) } : customer.parameters.map(\.name))
            .union(SimulatedWorkspaceCustomer.knownWithoutData)
        var requested: Set<String>?
        if let requestedNames {
            requested = []
            for name in requestedNames {
                let answerName = Self.answerNames[name] ?? name
                guard known.contains(answerName), Self.requestNames[name] == nil else {
                    let parts = name.split(separator: ":", maxSplits: 1)
                    return Self.googleError(
                        .badRequest,
                        "Invalid parameter name \(parts.count == 2 ? parts[1] : Substring(name)) for application \(parts.first ?? "")",
                        reason: "invalid",
                        statusText: "INVALID_ARGUMENT"
                    )
                }
                requested?.insert(answerName)
            }
        }
        // Warnings name applications: the ones still filling in within the report's lag, and one switched off.
        var warned: [(code: String, application: String)] = []
        if day > today - Self.lag(report) {
            warned += Self.lateApplications.map { ("PARTIAL_DATA_AVAILABLE", $0) }
        }
        if let application = state.withLock({ $0.unavailableApplication }) {
            warned.append(("DATA_NOT_AVAILABLE", application))
        }
        if let missing = customer.history?.missingDay, day == missing {
            // A date the reporting pipeline lost: no application has data.
            let applications = Set(
                (users ? customer.users.flatMap(\.parameters) : customer.parameters).map { String($0.name.split(separator: ":")[0]) }
            )
            warned = applications.sorted().map { ("DATA_NOT_AVAILABLE", $0) }
        }
        let left = Set(warned.map(\.application))
        func filtered(_ parameters: [SimulatedUsageParameter]) -> [SimulatedUsageParameter] {
            parameters.filter { parameter in
                (requested?.contains(parameter.name) ?? true) && !left.contains(String(parameter.name.split(separator: ":").first ?? ""))
            }
        }
        let warnings =
            warned.isEmpty
            ? ""
            : ",\"warnings\":["
                + warned.map { warning in
                    #"{"code":"\#(warning.code)","message":"Data for this date is not complete.","data":[{"key":"application","value":"\#(warning.application)"}]}"#
                }.joined(separator: ",") + "]"
        let dateText = Self.format(day: day)
        if users {
            return userReport(customer: customer, day: day, parameters: filtered, date: dateText, warnings: warnings, query: query)
        }
        return customerReport(
            customer: customer,
            parameters: filtered(customer.parameters(on: day)),
            date: dateText,
            warnings: warnings,
            pageToken: query["pageToken"]
        )
    }

    /// The customer report comes in two pages, the second behind a token with `+`, `/` and `=`.
    private func customerReport(
        customer: SimulatedWorkspaceCustomer,
        parameters: [SimulatedUsageParameter],
        date: String,
        warnings: String,
        pageToken: String?
    ) -> Response {
        let half = (parameters.count + 1) / 2
        let page: ArraySlice<SimulatedUsageParameter>
        var next = ""
        switch pageToken {
        case nil:
            page = parameters[..<half]
            if half < parameters.count { next = #","nextPageToken":"\#(Self.customerPageToken)""# }
        case Self.customerPageToken?:
            page = parameters[half...]
        default:
            return Self.googleError(.badRequest, "Invalid value for pageToken", reason: "invalid", statusText: "INVALID_ARGUMENT")
        }
        let report =
            #"{"kind":"admin#reports#usageReport","date":"\#(date)","etag":"\"sim\"","entity":{"type":"CUSTOMER","customerId":"\#(customer.customerID)"},"parameters":[\#(page.map(\.json).joined(separator: ","))]}"#
        return Self.json(.ok, #"{"kind":"admin#reports#usageReports"\#(warnings)\#(next),"usageReports":[\#(report)]}"#)
    }

    private func userReport(
        customer: SimulatedWorkspaceCustomer,
        day: Int,
        parameters: ([SimulatedUsageParameter]) -> [SimulatedUsageParameter],
        date: String,
        warnings: String,
        query: [String: String]
    ) -> Response {
        let maxResults = min(query["maxResults"].flatMap(Int.init) ?? 1000, 1000)
        let pageSize = max(1, min(maxResults, userPageSize))
        let users = customer.users(on: day)
        let total = users.count + (customer.includeEntryWithoutEmail ? 1 : 0)
        var offset = 0
        if let token = query["pageToken"] {
            // A token this simulator never issued (negative, past the end, not a number) is refused, as Google does.
            guard token.hasPrefix("users+"), token.hasSuffix("/=="), let value = Int(token.dropFirst(6).dropLast(3)), (0...total).contains(value)
            else {
                return Self.googleError(.badRequest, "Invalid value for pageToken", reason: "invalid", statusText: "INVALID_ARGUMENT")
            }
            offset = value
        }
        // Only the requested page is rendered: a page costs the same whatever the customer's size.
        let pageRange = offset..<min(offset + pageSize, total)
        let page: [String] = pageRange.map { index in
            guard index < users.count else {
                return
                    #"{"kind":"admin#reports#usageReport","date":"\#(date)","entity":{"type":"USER","customerId":"\#(customer.customerID)","profileId":"deleted"},"parameters":[{"name":"accounts:is_suspended","boolValue":false}]}"#
            }
            let user = users[index]
            let selected = parameters(customer.parameters(of: user, on: day))
            return
                #"{"kind":"admin#reports#usageReport","date":"\#(date)","entity":{"type":"USER","customerId":"\#(customer.customerID)","userEmail":\#(JSONText.string(user.email)),"profileId":"1\#(index)"},"parameters":[\#(selected.map(\.json).joined(separator: ","))]}"#
        }
        let next = offset + pageSize < total ? #","nextPageToken":"users+\#(offset + pageSize)/==""# : ""
        return Self.json(.ok, #"{"kind":"admin#reports#usageReports"\#(warnings)\#(next),"usageReports":[\#(page.joined(separator: ","))]}"#)
    }

    static func redirect(status: Int, location: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [.location: location, .contentType: "text/html; charset=UTF-8"],
            body: .init(byteBuffer: ByteBuffer(string: "<html><body>Moved</body></html>"))
        )
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=UTF-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
