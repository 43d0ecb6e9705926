import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

/// Exchanges the service account's signed assertion for a bearer token at the key's `token_uri` and
/// caches it until 60 s before it expires. Shared by the customer and user report collectors of one customer.
public final class GoogleAccessTokenProvider: Sendable {
    let key: ServiceAccountKey
    let subject: String
    let timeout: Duration
    private enum Entry {
        case token(String, expiresAt: Double)
        /// An exchange under way: concurrent callers wait for it rather than starting their own.
        case exchanging(Task<(String, Double), any Error>, id: Int)
    }

    private let state = Mutex<(entry: Entry?, nextID: Int)>((nil, 0))

    public init(key: ServiceAccountKey, subject: String, timeout: Duration) {
        self.key = key
        self.subject = subject
        self.timeout = timeout
    }

    /// A valid token, from the cache or newly exchanged; one exchange serves every concurrent caller.
    func token(client: UpstreamClient, now: Double, record: @escaping @Sendable (String) -> Void) async throws -> String {
        let (task, id): (Task<(String, Double), any Error>, Int) = state.withLock { state in
            switch state.entry {
            case .token(let token, let expiresAt) where expiresAt - 60 > now:
                return (Task { (token, expiresAt) }, -1)
            case .exchanging(let task, let id):
                return (task, id)
            default:
                state.nextID += 1
                let task = Task { try await self.exchange(client: client, now: now, record: record) }
                state.entry = .exchanging(task, id: state.nextID)
                return (task, state.nextID)
            }
        }
        do {
            let (token, lifetime) = try await task.value
            if id >= 0 {
                state.withLock { state in
                    if case .exchanging(_, let current) = state.entry, current == id { state.entry = .token(token, expiresAt: now + lifetime) }
                }
            }
            return token
        } catch {
            state.withLock { state in
                if case .exchanging(_, let current) = state.entry, current == id { state.entry = nil }
            }
            throw error
        }
    }

    /// Forgets the cached token, after the Reports API refused it.
    func invalidate() {
        state.withLock { state in
            if case .token = state.entry { state.entry = nil }
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
            return (token, answer.expires_in ?? 3600)
        case 429:
            throw CollectorError(.rateLimited, "the token endpoint rate limited the exporter (HTTP 429)", isRetryable: true, retryAfter: response.retryAfter)
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
            return CollectorError(.auth, """
                token request refused (unauthorized_client\(detail)); grant domain-wide delegation in the Admin console \
                (Security → Access and data control → API controls → Domain-wide delegation) to client ID \(key.clientID.isEmpty ? key.clientEmail : key.clientID) \
                with the scope \(ServiceAccountAssertion.reportsScope)
                """)
        case "invalid_scope":
            return CollectorError(.auth, "token request refused (invalid_scope\(detail)); the delegation must include the scope \(ServiceAccountAssertion.reportsScope)")
        case "invalid_grant":
            return CollectorError(.auth, """
                token request refused (invalid_grant\(detail)); check that the key \(key.privateKeyID) of \(key.clientEmail) \
                has not been deleted, that the machine clock is right, and that subject \(subject) is an existing user
                """)
        default:
            return CollectorError(.auth, "token request refused (HTTP \(status)\(error.map { ", \($0)" } ?? "")\(detail))")
        }
    }
}
