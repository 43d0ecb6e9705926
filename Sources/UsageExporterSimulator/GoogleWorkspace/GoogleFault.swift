/// The two usage reports the Google simulator serves.
public enum GoogleReportKind: Sendable, Equatable {
    /// `usage/dates/{date}`.
    case customer
    /// `usage/users/all/dates/{date}`.
    case user
}

/// A failure the Google simulator can be told to produce.
public enum GoogleFault: Sendable, Equatable {
    /// Token endpoint: 400 `invalid_grant`.
    case tokenInvalidGrant
    /// Token endpoint: 401 `unauthorized_client` (no domain-wide delegation).
    case tokenUnauthorizedClient
    /// Token endpoint: 400 `invalid_scope`.
    case tokenInvalidScope
    /// Token endpoint: never answer until the simulator stops.
    case tokenHang
    /// Token endpoint: a redirect to `location`; the signed assertion must not be re-sent there.
    case tokenRedirect(status: Int, location: String)
    /// Reports API: a redirect to `location`.
    case redirect(status: Int, location: String)
    /// Reports API: 401, as for an expired or revoked token.
    case unauthorized
    /// Reports API: 403 for a subject that is not an admin.
    case forbidden
    /// Reports API: 403 `rateLimitExceeded`.
    case quotaExceeded
    /// Reports API: 429 with an optional `Retry-After`.
    case tooManyRequests(retryAfter: String?)
    /// Reports API: 503.
    case unavailable
    /// Reports API: 200 with a body that is not JSON.
    case malformed
    /// Reports API: never answer until the simulator stops.
    case hang
    /// Reports API: every date answers with the warning `DATA_NOT_AVAILABLE`.
    case dataNotAvailable
    /// Reports API: every date answers with no reports.
    case emptyReports

    var isTokenFault: Bool {
        switch self {
        case .tokenInvalidGrant, .tokenUnauthorizedClient, .tokenInvalidScope, .tokenHang, .tokenRedirect: true
        default: false
        }
    }
}
