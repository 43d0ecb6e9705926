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
        /// The request body exactly as received (e.g. the `query_requests` an exporter sent).
        public let body: String
        /// The fault the request was answered with, if any.
        public let fault: WindsurfFault?
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

    public var teams: [SimulatedWindsurfTeam] {
        state.withLock { $0.teams }
    }

    /// Changes the dataset live, as users join, leave or use the product.
    public func updateTeam(named name: String, _ update: @Sendable (inout SimulatedWindsurfTeam) -> Void) {
        state.withLock { state in
            guard let index = state.teams.firstIndex(where: { $0.name == name }) else { return }
            update(&state.teams[index])
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
        return router
    }

    private struct RequestBody: Decodable {
        let service_key: String?
        let group_name: String?
        let start_timestamp: String?
        let end_timestamp: String?
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
            var fault: WindsurfFault?
            if let index = state.faults.firstIndex(where: { $0.endpoint == nil || $0.endpoint == endpoint }) {
                fault = state.faults[index].fault
                if let remaining = state.faults[index].remaining {
                    if remaining <= 1 { state.faults.remove(at: index) } else { state.faults[index].remaining = remaining - 1 }
                }
            }
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
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
