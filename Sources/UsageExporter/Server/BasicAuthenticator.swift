import Crypto
import Foundation
import HummingbirdBcrypt
import NIOPosix
import Synchronization

/// Checks `Authorization: Basic` credentials against bcrypt hashes. bcrypt is slow by design (tens of
/// milliseconds at cost 10), so it runs on NIO's blocking thread pool, never on the cooperative pool; each
/// distinct credential is verified once and the outcome cached, keyed by a SHA-256 of the credential, never
/// the password itself; concurrent requests with the same new credential share one verification.
public final class BasicAuthenticator: Sendable {
    private let users: [String: String]

    private enum Entry {
        case verified(Bool)
        /// A verification under way, and the requests waiting for it.
        case verifying([CheckedContinuation<Bool?, Never>])
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var verifications = 0
    }

    private let state = Mutex(State())
    /// Bounds the cache against a flood of distinct wrong passwords.
    static let maximumCachedCredentials = 1024

    public init(users: [String: String]) {
        // htpasswd writes $2y$, which is the same algorithm as $2b$ (the bcrypt library reads $2a$ and $2b$).
        self.users = users.mapValues { $0.hasPrefix("$2y$") ? "$2b$" + $0.dropFirst(4) : $0 }
    }

    /// A cost-10 hash that no password is checked against successfully (the result is discarded).
    static let unknownUserHash = "$2b$10$ugLMPujCyAQKyi7gL4OzV.JIH1OOI2SSx38RgMpY589rUkanUUTiC"

    static func isBcryptHash(_ text: String) -> Bool {
        ["$2a$", "$2b$", "$2y$"].contains { text.hasPrefix($0) } && text.count == 60
    }

    private enum Step {
        case known(Bool)
        case verify
        case wait
    }

    /// Whether the `Authorization` header value carries a known user and the right password.
    public func isAuthorized(_ authorization: String?) async -> Bool {
        guard let authorization, authorization.count > 6, authorization.prefix(6).lowercased() == "basic " else { return false }
        guard let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
            let credential = String(data: decoded, encoding: .utf8),
            let colon = credential.firstIndex(of: ":")
        else { return false }
        let user = String(credential[..<colon])
        let password = String(credential[credential.index(after: colon)...])
        let key = SHA256.hash(data: Data(credential.utf8)).map { String(format: "%02x", $0) }.joined()

        // Until an outcome: known, verified here, or shared with the verification under way.
        while true {
            let step = state.withLock { state -> Step in
                switch state.entries[key] {
                case .verified(let known)?: return .known(known)
                case .verifying?: return .wait
                case nil:
                    if state.entries.count >= Self.maximumCachedCredentials {
                        // Forget finished verifications only: waiters of one under way must still be resumed.
                        state.entries = state.entries.filter { if case .verifying = $0.value { true } else { false } }
                    }
                    state.entries[key] = .verifying([])
                    return .verify
                }
            }
            switch step {
            case .known(let known):
                return known
            case .wait:
                // nil: the outcome was forgotten (the cache was full) before this request could read it.
                let shared = await withCheckedContinuation { (continuation: CheckedContinuation<Bool?, Never>) in
                    let known = state.withLock { state -> Bool?? in
                        switch state.entries[key] {
                        case .verifying(var waiters)?:
                            waiters.append(continuation)
                            state.entries[key] = .verifying(waiters)
                            return .none
                        case .verified(let known)?: return .some(known)
                        case nil: return .some(nil)
                        }
                    }
                    if let known { continuation.resume(returning: known) }
                }
                if let shared { return shared }
            case .verify:
                let hash = users[user]
                // An unknown user costs the same bcrypt check as a known one, so timing does not tell which names exist.
                let verified = try? await NIOThreadPool.singleton.runIfActive {
                    Bcrypt.verify(password, hash: hash ?? Self.unknownUserHash) && hash != nil
                }
                // nil: this request was cancelled or the thread pool has stopped before the check ran. Nothing is
                // cached then, and the waiters (resumed with nil) verify again themselves.
                let waiters = state.withLock { state -> [CheckedContinuation<Bool?, Never>] in
                    guard case .verifying(let waiters)? = state.entries[key] else { return [] }
                    if let verified {
                        state.verifications += 1
                        state.entries[key] = .verified(verified)
                    } else {
                        state.entries[key] = nil
                    }
                    return waiters
                }
                for waiter in waiters { waiter.resume(returning: verified) }
                return verified ?? false
            }
        }
    }

    /// How many outcomes the cache holds (for tests).
    var cachedCount: Int { state.withLock { $0.entries.count } }

    /// How many bcrypt verifications ran (for tests).
    var verificationCount: Int { state.withLock { $0.verifications } }
}
