/// A failure the Windsurf simulator can be told to produce, as the real API does.
public enum WindsurfFault: Sendable, Equatable {
    /// 401 `{"error":"Invalid service key"}`.
    case unauthorized
    /// 403, as for a service key without the endpoint's permission.
    case forbidden
    /// `{"error":"Insufficient permissions"}` (the documented message) with `status` (the docs give none).
    case insufficientPermissions(status: Int = 403)
    /// 400 with a documented query error's message (or one of the simulator's own).
    case queryError(WindsurfQueryError)
    /// 400 `{"error":"invalid group name: X"}`.
    case invalidGroup
    /// 429 with a `Retry-After` header (seconds or an HTTP-date), or none.
    case rateLimited(retryAfter: String?)
    /// A 5xx status.
    case serverError(status: Int)
    /// Answer correctly after a delay.
    case slow(seconds: Double)
    /// Never answer (until the simulator stops).
    case hang
    /// 200 with a body that is not JSON.
    case malformed
    /// 200 with valid JSON cut in the middle.
    case truncated
    /// 200 with the `error` field set.
    case errorField(String)
    /// A redirect (301, 302, 303, 307 or 308) to `location`, as a misconfigured proxy or a hostile network
    /// might send; the exporter must not follow it with the service key in the body.
    case redirect(status: Int, location: String)
    /// 200 with the start of a body, then nothing more until the simulator stops.
    case stalledBody
    /// Consumption API: every page names, as the next one, a cursor of a page already served (the first page
    /// names the cursor of itself), so that a client that follows cursors blindly never ends.
    case cursorLoop
    /// Consumption API: every request with a `page_cursor` is refused with 400 `{"error":"page cursor expired"}`,
    /// as a cursor older than 24 hours is; requests without a cursor are answered normally.
    case cursorExpired
}

/// Which endpoint a fault applies to.
public enum WindsurfEndpoint: String, Sendable, Hashable {
    case userPageAnalytics = "UserPageAnalytics"
    case teamCreditBalance = "GetTeamCreditBalance"
    case cascadeAnalytics = "CascadeAnalytics"
    case analytics = "Analytics"
    case usageConfig = "GetUsageConfig"
    /// `GET /api/v2alpha/analytics/consumption` (Analytics API v2).
    case consumption = "consumption"
}
