import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A loopback HTTP server that speaks the Windsurf analytics API (`UserPageAnalytics`,
/// `GetTeamCreditBalance`, `CascadeAnalytics`, `Analytics`, `GetUsageConfig`) over generated teams, with
/// switchable faults and live dataset changes.
public final class WindsurfSimulator: Sendable {
    /// A request the simulator received, for tests to inspect.
    public struct ReceivedRequest: Sendable {
        public let endpoint: WindsurfEndpoint
        public let serviceKey: String?
        public let groupName: String?
        public let startTimestamp: String?
        public let endTimestamp: String?
        public let receivedAt: Date
        /// The request body exactly as received (e.g. the `query_requests` an exporter sent); for the
        /// consumption API (a GET), the query string.
        public let body: String
        /// The fault the request was answered with, if any.
        public let fault: WindsurfFault?
        /// The `If-None-Match` header, if any.
        public var ifNoneMatch: String?
        /// The HTTP status the simulator answered with (0 for a fault that never answers).
        public var status = 0
    }

    struct FaultRule {
        let fault: WindsurfFault
        let endpoint: WindsurfEndpoint?
        var remaining: Int?
    }

    struct State {
        var teams: [SimulatedWindsurfTeam]
        var faults: [FaultRule] = []
        var requests = RequestLog<ReceivedRequest>()
        var inFlight = 0
        /// The consumption API's limit: `limit` queries (requests without `page_cursor`) per `window` seconds per team.
        var consumptionLimit = (limit: 10, window: 3600.0)
        /// When each team's consumption queries arrived, within the window.
        var consumptionQueries: [String: [Double]] = [:]
        var consumptionPageSize = ConsumptionResponder.largestPageSize
        var cursorLifetime = 86_400.0
        /// Bumped by every `updateTeam`, so that cached consumption rows of an older dataset are not served.
        var teamVersions: [String: Int] = [:]
        /// The grouped, sorted rows of the latest consumption queries: the pages of a query are computed once.
        var consumptionCache: [ConsumptionCacheKey: [ConsumptionResponder.Row]] = [:]
    }

    struct ConsumptionCacheKey: Hashable {
        let team: String
        let version: Int
        let query: ConsumptionResponder.Query
    }

    private let state: Mutex<State>
    private let host = SimulatorHost(label: "windsurf-simulator")

    public init(teams: [SimulatedWindsurfTeam]) {
        self.state = Mutex(State(teams: teams))
    }

    // MARK: Running

    /// Starts serving on loopback; returns the base URL to configure as `base_url`.
    @discardableResult
    public func start(host address: String = "127.0.0.1", port: Int = 0) async throws -> String {
        try await host.start(router: makeRouter(), host: address, port: port)
    }

    public var baseURL: String { host.baseURL }

    /// Stops serving; requests held by `hang` are released first.
    public func stop() async {
        await host.stop()
    }

    // MARK: Control

    /// Makes requests fail with `fault`: on `endpoint` only (nil: every endpoint), for the next `count` requests (nil: until cleared).
    public func inject(_ fault: WindsurfFault, on endpoint: WindsurfEndpoint? = nil, count: Int? = nil) {
        state.withLock { $0.faults.append(FaultRule(fault: fault, endpoint: endpoint, remaining: count)) }
    }

    public func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    /// Sets the consumption API's rate limit (documented: 10 queries per hour per team; the pages of a query
    /// are not counted) and forgets the queries counted so far.
    public func setConsumptionRateLimit(queries: Int, per window: Duration) {
        state.withLock {
            $0.consumptionLimit = (max(1, queries), window.seconds)
            $0.consumptionQueries = [:]
        }
    }

    /// Caps the consumption API's page size (documented maximum: 10,000 rows), so that small teams get many pages.
    public func setConsumptionPageSize(_ rows: Int) {
        state.withLock { $0.consumptionPageSize = max(1, rows) }
    }

    /// How long a consumption page cursor stays valid (documented: 24 hours).
    public func setCursorLifetime(_ lifetime: Duration) {
        state.withLock { $0.cursorLifetime = lifetime.seconds }
    }

    public var teams: [SimulatedWindsurfTeam] {
        state.withLock { $0.teams }
    }

    /// Changes the dataset live, as users join, leave or use the product.
    public func updateTeam(named name: String, _ update: @Sendable (inout SimulatedWindsurfTeam) -> Void) {
        state.withLock { state in
            guard let index = state.teams.firstIndex(where: { $0.name == name }) else { return }
            update(&state.teams[index])
            state.teamVersions[name, default: 0] += 1
        }
    }

    public var receivedRequests: [ReceivedRequest] {
        state.withLock { $0.requests.entries }
    }

    /// How many requests are being answered now (a `slow` or `hang` fault keeps one in flight).
    public var requestsInFlight: Int {
        state.withLock { $0.inFlight }
    }

    // MARK: HTTP

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/api/v1/UserPageAnalytics") { request, context in
            try await self.respond(to: request, endpoint: .userPageAnalytics)
        }
        router.post("/api/v1/GetTeamCreditBalance") { request, context in
            try await self.respond(to: request, endpoint: .teamCreditBalance)
        }
        router.post("/api/v1/CascadeAnalytics") { request, context in
            try await self.respond(to: request, endpoint: .cascadeAnalytics)
        }
        router.post("/api/v1/Analytics") { request, context in
            try await self.respond(to: request, endpoint: .analytics)
        }
        router.post("/api/v1/GetUsageConfig") { request, context in
            try await self.respond(to: request, endpoint: .usageConfig)
        }
        router.get("/api/v2alpha/analytics/consumption") { request, context in
            try await self.respondToConsumption(request)
        }
        return router
    }

    private struct RequestBody: Decodable {
        var service_key: String?
        var group_name: String?
        var start_timestamp: String?
        var end_timestamp: String?
    }

    /// `GET /api/v2alpha/analytics/consumption`: the service key as a Bearer token, the query in the URL.
    func respondToConsumption(_ request: Request) async throws -> Response {
        state.withLock { $0.inFlight += 1 }
        defer { state.withLock { $0.inFlight -= 1 } }
        let parameters = request.uri.queryParameters.map { (String($0.key), String($0.value)) }
        let authorization = request.headers[.authorization] ?? ""
        let bearer = authorization.hasPrefix("Bearer ") ? String(authorization.dropFirst(7)) : nil
        let ifNoneMatch = request.headers[.ifNoneMatch]
        let hasCursor = parameters.contains { $0.0 == "page_cursor" }
        let (fault, index) = state.withLock { state -> (WindsurfFault?, Int) in
            // An expired cursor needs a request with a cursor: the first page of a query is answered normally.
            let fault = Self.takeFault(for: .consumption, from: &state.faults) { hasCursor || $0 != .cursorExpired }
            var received = ReceivedRequest(
                endpoint: .consumption,
                serviceKey: bearer,
                groupName: nil,
                startTimestamp: parameters.first { $0.0 == "start_date" }?.1,
                endTimestamp: parameters.first { $0.0 == "end_date" }?.1,
                receivedAt: Date(),
                body: request.uri.query ?? "",
                fault: fault
            )
            received.ifNoneMatch = ifNoneMatch
            state.requests.append(received)
            return (fault, state.requests.entries.count - 1)
        }
        let response = try await consumptionResponse(
            parameters: parameters,
            bearer: bearer,
            ifNoneMatch: ifNoneMatch,
            hasCursor: hasCursor,
            fault: fault
        )
        state.withLock { state in
            if state.requests.entries.indices.contains(index) { state.requests.update(at: index) { $0.status = Int(response.status.code) } }
        }
        return response
    }

    private func consumptionResponse(
        parameters: [(String, String)],
        bearer: String?,
        ifNoneMatch: String?,
        hasCursor: Bool,
        fault: WindsurfFault?
    ) async throws -> Response {
        if let fault, fault != .cursorLoop, fault != .cursorExpired || hasCursor {
            if fault == .cursorExpired { return Self.json(.badRequest, #"{"error":"page cursor expired"}"#) }
            if let response = try await apply(fault, body: RequestBody(), endpoint: .consumption) { return response }
        }
        // The team and its version together: rows cached under a version are that version's.
        let (found, version) = state.withLock { state -> (SimulatedWindsurfTeam?, Int) in
            let team = state.teams.first { $0.serviceKey == bearer && bearer != nil }
            return (team, team.map { state.teamVersions[$0.name, default: 0] } ?? 0)
        }
        guard let team = found else {
            return Self.json(.unauthorized, #"{"error":"Invalid service key"}"#)
        }
        if team.deniedEndpoints.contains(.consumption) {
            return Self.json(.forbidden, #"{"error":"Insufficient permissions"}"#)
        }
        let now = Date().timeIntervalSince1970
        if !hasCursor {
            // Only a query counts against the limit; following a cursor does not.
            let wait = state.withLock { state -> Double? in
                let window = state.consumptionLimit.window
                var sent = state.consumptionQueries[team.name, default: []].filter { $0 > now - window }
                defer { state.consumptionQueries[team.name] = sent }
                if sent.count >= state.consumptionLimit.limit, let oldest = sent.first { return oldest + window - now }
                sent.append(now)
                return nil
            }
            if let wait {
                var response = Self.json(
                    .tooManyRequests,
                    JSONText.object([("error", JSONText.string("rate limit exceeded: at most 10 queries per hour per team"))])
                )
                response.headers[.retryAfter] = String(max(1, Int(wait.rounded(.up))))
                return response
            }
        }
        let (pageSize, lifetime) = state.withLock { ($0.consumptionPageSize, $0.cursorLifetime) }
        let responder = ConsumptionResponder(team: team, maximumPageSize: pageSize, cursorLifetime: lifetime, now: now)
        let outcome = responder.answer(parameters, ifNoneMatch: ifNoneMatch, loopCursor: fault == .cursorLoop) { query in
            let key = ConsumptionCacheKey(team: team.name, version: version, query: query)
            if let rows = state.withLock({ $0.consumptionCache[key] }) { return rows }
            let rows = responder.rows(query)
            state.withLock { state in
                if state.consumptionCache.count >= 8 { state.consumptionCache.removeAll() }
                state.consumptionCache[key] = rows
            }
            return rows
        }
        switch outcome {
        case .page(let text, let etag):
            var response = Self.json(.ok, text)
            response.headers[.eTag] = etag
            return response
        case .notModified(let etag):
            return Response(status: .notModified, headers: [.eTag: etag])
        case .refused(let status, let message):
            return Self.json(HTTPResponse.Status(code: status), JSONText.object([("error", JSONText.string(message))]))
        }
    }

    /// The first fault rule for `endpoint` that `applies`, counted down.
    private static func takeFault(
        for endpoint: WindsurfEndpoint,
        from faults: inout [FaultRule],
        applies: (WindsurfFault) -> Bool = { _ in true }
    ) -> WindsurfFault? {
        guard let index = faults.firstIndex(where: { ($0.endpoint == nil || $0.endpoint == endpoint) && applies($0.fault) }) else { return nil }
        let fault = faults[index].fault
        if let remaining = faults[index].remaining {
            if remaining <= 1 { faults.remove(at: index) } else { faults[index].remaining = remaining - 1 }
        }
        return fault
    }

    func respond(to request: Request, endpoint: WindsurfEndpoint) async throws -> Response {
        state.withLock { $0.inFlight += 1 }
        defer { state.withLock { $0.inFlight -= 1 } }
        let bytes = try await request.body.collect(upTo: 1 << 20)
        let data = Data(buffer: bytes)
        guard let body = try? JSONDecoder().decode(RequestBody.self, from: data) else {
            return Self.json(.badRequest, #"{"error":"invalid request body"}"#)
        }
        let fault = state.withLock { state -> WindsurfFault? in
            let fault = Self.takeFault(for: endpoint, from: &state.faults)
            state.requests.append(
                ReceivedRequest(
                    endpoint: endpoint,
                    serviceKey: body.service_key,
                    groupName: body.group_name,
                    startTimestamp: body.start_timestamp,
                    endTimestamp: body.end_timestamp,
                    receivedAt: Date(),
                    body: String(decoding: data, as: UTF8.self),
                    fault: fault
                )
            )
            return fault
        }
        if let fault, let response = try await apply(fault, body: body, endpoint: endpoint) {
            return response
        }
        guard let team = teams.first(where: { $0.serviceKey == body.service_key }) else {
            return Self.json(.unauthorized, #"{"error":"Invalid service key"}"#)
        }
        if team.deniedEndpoints.contains(endpoint) {
            return Self.json(.forbidden, #"{"error":"Insufficient permissions"}"#)
        }
        switch endpoint {
        case .userPageAnalytics:
            return userPage(team: team, body: body)
        case .teamCreditBalance:
            return creditBalance(team: team)
        case .cascadeAnalytics:
            return Self.answer(data) { try CascadeAnalyticsResponder(team: team).answer($0) }
        case .analytics:
            return Self.answer(data) { try CustomAnalyticsResponder(team: team).answer($0) }
        case .usageConfig:
            return Self.answer(data) { try UsageConfigResponder(team: team).answer($0) }
        case .consumption:
            // A GET, routed to respondToConsumption.
            return Self.json(.methodNotAllowed, #"{"error":"use GET"}"#)
        }
    }

    /// 200 with what `responder` writes for the parsed body, or 400 `{"error":…}` with what it refuses.
    private static func answer(_ data: Data, _ responder: (JSONValue) throws -> ByteBuffer) -> Response {
        do {
            let value: JSONValue
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: data)
            } catch {
                throw WindsurfQueryError.invalidRequestBody("not JSON")
            }
            let bytes = try responder(value)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
        } catch let error as WindsurfQueryError {
            return json(.badRequest, JSONText.object([("error", JSONText.string(error.message))]))
        } catch {
            return json(.badRequest, JSONText.object([("error", JSONText.string("invalid request body"))]))
        }
    }

    /// The response a fault produces, or nil when the request should then be answered normally (`slow`).
    private func apply(_ fault: WindsurfFault, body: RequestBody, endpoint: WindsurfEndpoint) async throws -> Response? {
        switch fault {
        case .unauthorized:
            return Self.json(.unauthorized, #"{"error":"Invalid service key"}"#)
        case .forbidden:
            return Self.json(.forbidden, #"{"error":"service key lacks the required permission"}"#)
        case .insufficientPermissions(let status):
            return Self.json(HTTPResponse.Status(code: status), #"{"error":"Insufficient permissions"}"#)
        case .queryError(let error):
            return Self.json(.badRequest, JSONText.object([("error", JSONText.string(error.message))]))
        case .invalidGroup:
            return Self.json(
                .badRequest,
                JSONText.object([("error", JSONText.string(WindsurfQueryError.invalidGroupName(body.group_name ?? "").message))])
            )
        case .rateLimited(let retryAfter):
            var response = Self.json(.tooManyRequests, #"{"error":"rate limit exceeded"}"#)
            if let retryAfter { response.headers[.retryAfter] = retryAfter }
            return response
        case .serverError(let status):
            return Self.json(HTTPResponse.Status(code: status), #"{"error":"internal error"}"#)
        case .slow(let seconds):
            try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            return nil
        case .hang:
            try await host.waitUntilStopped()
            return Self.json(.serviceUnavailable, #"{"error":"simulator stopped"}"#)
        case .malformed:
            return Self.json(.ok, "<html><body>502 Bad Gateway</body></html>")
        case .truncated:
            return Self.json(.ok, Self.truncatedBody(endpoint))
        case .errorField(let message):
            return Self.json(.ok, JSONText.object([("error", JSONText.string(message))]))
        case .redirect(let status, let location):
            return Response(
                status: HTTPResponse.Status(code: status),
                headers: [.location: location, .contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error":"moved"}"#))
            )
        case .stalledBody:
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: Self.truncatedBody(endpoint)))
                    try await self.host.waitUntilStopped()
                    try await writer.finish(nil)
                }
            )
        case .cursorLoop, .cursorExpired:
            // Faults of the consumption API's cursors: other endpoints answer normally.
            return nil
        }
    }

    private func userPage(team: SimulatedWindsurfTeam, body: RequestBody) -> Response {
        if let group = body.group_name, !group.isEmpty, !team.groups.contains(group) {
            return Self.json(.badRequest, JSONText.object([("error", JSONText.string(WindsurfQueryError.invalidGroupName(group).message))]))
        }
        var windowDays: Int?
        for text in [body.start_timestamp, body.end_timestamp].compactMap({ $0 }) where (try? Date(text, strategy: .iso8601)) == nil {
            return Self.json(.badRequest, JSONText.object([("error", JSONText.string("invalid timestamp format: \(text)"))]))
        }
        if let start = body.start_timestamp.flatMap({ try? Date($0, strategy: .iso8601) }),
            let end = body.end_timestamp.flatMap({ try? Date($0, strategy: .iso8601) })
        {
            windowDays = max(0, Int((end.timeIntervalSince(start) / 86_400).rounded(.up)))
        }
        let group = body.group_name.flatMap { $0.isEmpty ? nil : $0 }
        let text = team.userPageJSON(group: group, windowDays: windowDays)
        return Self.json(.ok, text)
    }

    private func creditBalance(team: SimulatedWindsurfTeam) -> Response {
        let text = JSONText.object([
            ("promptCreditsPerSeat", String(team.promptCreditsPerSeat)),
            ("numSeats", JSONText.string(String(team.seats))),
            ("addOnCreditsAvailable", String(team.addOnCreditsAvailable)),
            ("addOnCreditsUsed", JSONText.string(String(team.addOnCreditsUsed))),
            ("billingCycleStart", JSONText.string(team.billingCycleStart.text)),
            ("billingCycleEnd", JSONText.string(team.billingCycleEnd.text)),
        ])
        return Self.json(.ok, text)
    }

    /// The start of a valid answer of `endpoint`, cut in the middle.
    static func truncatedBody(_ endpoint: WindsurfEndpoint) -> String {
        switch endpoint {
        case .userPageAnalytics: #"{"userTableStats":[{"name":"Alice","email":"alice@example.com","activeDays":"#
        case .teamCreditBalance: #"{"promptCreditsPerSeat":500,"numSeats":"#
        case .cascadeAnalytics: #"{"queryResults":[{"cascadeLines":{"cascadeLines":[{"day":"2025-05-01T00:00:00Z","linesSuggested":"1"#
        case .analytics: #"{"queryResults":[{"responseItems":[{"item":{"lang":"PYT"#
        case .usageConfig: #"{"addOnCreditCap":"#
        case .consumption: #"{"data":[{"timestamp":"2026-01-15","user_id":"user_abc","user_email":"alice@exa"#
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
