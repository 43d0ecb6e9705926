import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

/// Exchanges the service account's signed assertion for a bearer token at the key's `token_uri` and
/// caches it until 60 s before it expires. Shared by the customer and user report collectors of one customer.
///
/// The exchange runs in the task of the caller that needs it first, so cancelling that poll cancels the
/// request. Callers that need a token meanwhile wait for that exchange; each waiter can be cancelled on its
/// own, and when the exchanging caller is cancelled, a waiter starts a new exchange in its own task.
public final class GoogleAccessTokenProvider: Sendable {
    let key: ServiceAccountKey
    let subject: String
    let timeout: Duration

    private enum Entry {
        case none
        case token(String, expiresAt: Double)
        /// A caller is exchanging; others wait.
        case exchanging(id: Int)
    }

    private enum Waiter {
        /// Decided to wait, not yet suspended.
        case pending
        case suspended(CheckedContinuation<String?, any Error>)
        /// Cancelled before it suspended.
        case cancelled
    }

    private struct State {
        var entry = Entry.none
        var waiters: [Int: Waiter] = [:]
        var nextID = 0

        mutating func makeID() -> Int {
            nextID += 1
            return nextID
        }
    }

    private let state = Mutex(State())

    public init(key: ServiceAccountKey, subject: String, timeout: Duration) {
        self.key = key
        self.subject = subject
        self.timeout = timeout
    }

    private enum Step {
        case use(String)
        case exchange(id: Int)
        case wait(id: Int)
    }

    /// A valid token, from the cache or newly exchanged; one exchange serves every concurrent caller.
    func token(client: UpstreamClient, now: Double, record: @escaping @Sendable (String) -> Void) async throws -> String {
        while true {
            try Task.checkCancellation()
            let step = state.withLock { state -> Step in
                switch state.entry {
                case .token(let token, let expiresAt) where expiresAt - 60 > now:
                    return .use(token)
                case .exchanging:
                    let id = state.makeID()
                    state.waiters[id] = .pending
                    return .wait(id: id)
                default:
                    let id = state.makeID()
                    state.entry = .exchanging(id: id)
                    return .exchange(id: id)
                }
            }
            switch step {
            case .use(let token):
                return token
            case .exchange(let id):
                do {
                    let (token, lifetime) = try await exchange(client: client, now: now, record: record)
                    finishExchange(id, with: .success(token), caching: .token(token, expiresAt: now + lifetime))
                    return token
                } catch {
                    // A cancelled exchange is left to a waiter (nil: try again); a failed one fails every waiter.
                    finishExchange(id, with: Task.isCancelled || error is CancellationError ? .success(nil) : .failure(error), caching: .none)
                    throw error
                }
            case .wait(let id):
                if let token = try await wait(id) { return token }
            }
        }
    }

    /// Ends exchange `id`: caches its outcome and resumes every suspended waiter with `result`.
    private func finishExchange(_ id: Int, with result: Result<String?, any Error>, caching entry: Entry) {
        let resumed = state.withLock { state -> [CheckedContinuation<String?, any Error>] in
            guard case .exchanging(let current) = state.entry, current == id else { return [] }
            state.entry = entry
            var continuations: [CheckedContinuation<String?, any Error>] = []
            for (waiterID, waiter) in state.waiters {
                if case .suspended(let continuation) = waiter {
                    continuations.append(continuation)
                    state.waiters[waiterID] = nil
                }
            }
            return continuations
        }
        for continuation in resumed { continuation.resume(with: result) }
    }

    /// Waits for the exchange under way: its token, nil when it was cancelled (or ended before this waiter
    /// suspended), or its error. Cancelling this task ends only this wait.
    private func wait(_ id: Int) async throws -> String? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String?, any Error>) in
                let outcome = state.withLock { state -> Result<String?, any Error>? in
                    if case .cancelled? = state.waiters[id] {
                        state.waiters[id] = nil
                        return .failure(CancellationError())
                    }
                    guard case .exchanging = state.entry else {
                        state.waiters[id] = nil
                        return .success(nil)
                    }
                    state.waiters[id] = .suspended(continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<String?, any Error>? in
                switch state.waiters[id] {
                case .pending?:
                    state.waiters[id] = .cancelled
                    return nil
                case .suspended(let continuation)?:
                    state.waiters[id] = nil
                    return continuation
                case .cancelled?, nil:
                    return nil
                }
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// Forgets the cached token, after the Reports API refused it.
    func invalidate() {
        state.withLock { state in
            if case .token = state.entry { state.entry = .none }
        }
    }

    private struct TokenAnswer: Decodable {
        let access_token: String?
        let expires_in: Double?
        let error: String?
        let error_description: String?

        enum CodingKeys: String, CodingKey { case access_token, expires_in, error, error_description }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            access_token = try container.decodeIfPresent(String.self, forKey: .access_token)
            expires_in = try container.decodeFlexibleNumber(forKey: .expires_in)
            error = try container.decodeIfPresent(String.self, forKey: .error)
            error_description = try container.decodeIfPresent(String.self, forKey: .error_description)
        }
    }

    private func exchange(client: UpstreamClient, now: Double, record: @Sendable (String) -> Void) async throws -> (String, Double) {
        let assertion: String
        do {
            assertion = try ServiceAccountAssertion.make(key: key, subject: subject, issuedAt: now)
        } catch {
            throw CollectorError(.auth, "could not sign the token request with the service account key")
        }
        var request = HTTPClientRequest(url: key.tokenURI)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "User-Agent", value: "usage-exporter/\(ExporterVersion.version)")
        request.body = .bytes(ByteBuffer(string: "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(assertion)"))
        let response = try await client.send(request, timeout: timeout, record: record)
        let answer = try? JSONDecoder().decode(TokenAnswer.self, from: response.body)
        switch response.status {
        case 200:
            guard let answer, let token = answer.access_token, !token.isEmpty else {
                throw CollectorError(.decode, "the token endpoint answered 200 without an access_token")
            }
            // Bounded: a negative, huge or missing lifetime cannot break the cache arithmetic.
            return (token, min(max(answer.expires_in ?? 3600, 0), 86_400))
        case 429:
            throw CollectorError(
                .rateLimited,
                "the token endpoint rate limited the exporter (HTTP 429)",
                isRetryable: true,
                retryAfter: response.retryAfter
            )
        case 500..<600:
            throw CollectorError(.upstream, "the token endpoint failed (HTTP \(response.status))", isRetryable: true, retryAfter: response.retryAfter)
        default:
            throw Self.explain(status: response.status, error: answer?.error, description: answer?.error_description, key: key, subject: subject)
        }
    }

    /// What the admin must fix, from the OAuth error code.
    static func explain(status: Int, error: String?, description: String?, key: ServiceAccountKey, subject: String) -> CollectorError {
        let detail = description.map { ": \($0)" } ?? ""
        switch error {
        case "unauthorized_client":
            return CollectorError(
                .auth,
                """
                token request refused (unauthorized_client\(detail)); grant domain-wide delegation in the Admin console \
                (Security → Access and data control → API controls → Domain-wide delegation) to client ID \(key.clientID.isEmpty ? key.clientEmail : key.clientID) \
                with the scope \(ServiceAccountAssertion.reportsScope)
                """
            )
        case "invalid_scope":
            return CollectorError(
                .auth,
                "token request refused (invalid_scope\(detail)); the delegation must include the scope \(ServiceAccountAssertion.reportsScope)"
            )
        case "invalid_grant":
            return CollectorError(
                .auth,
                """
                token request refused (invalid_grant\(detail)); check that the key \(key.privateKeyID) of \(key.clientEmail) \
                has not been deleted, that the machine clock is right, and that subject \(subject) is an existing user
                """
            )
        default:
            return CollectorError(.auth, "token request refused (HTTP \(status)\(error.map { ", \($0)" } ?? "")\(detail))")
        }
    }
}
