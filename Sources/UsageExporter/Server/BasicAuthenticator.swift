import Crypto
import Foundation
import HummingbirdBcrypt
import Synchronization

/// Checks `Authorization: Basic` credentials against bcrypt hashes. bcrypt is slow by design (tens of
/// milliseconds at cost 10), so each distinct credential is verified once and the outcome cached,
/// keyed by a SHA-256 of the credential, never the password itself.
public final class BasicAuthenticator: Sendable {
    private let users: [String: String]
    private let cache = Mutex<[String: Bool]>([:])
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

    /// Whether the `Authorization` header value carries a known user and the right password.
    public func isAuthorized(_ authorization: String?) -> Bool {
        guard let authorization, authorization.count > 6, authorization.prefix(6).lowercased() == "basic " else { return false }
        guard let decoded = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let credential = String(data: decoded, encoding: .utf8),
              let colon = credential.firstIndex(of: ":")
        else { return false }
        let user = String(credential[..<colon])
        let password = String(credential[credential.index(after: colon)...])
        let key = SHA256.hash(data: Data(credential.utf8)).map { String(format: "%02x", $0) }.joined()
        if let known = cache.withLock({ $0[key] }) { return known }
        // An unknown user costs the same bcrypt check as a known one, so timing does not tell which names exist.
        let verified = Bcrypt.verify(password, hash: users[user] ?? Self.unknownUserHash) && users[user] != nil
        cache.withLock { cache in
            if cache.count >= Self.maximumCachedCredentials { cache.removeAll(keepingCapacity: true) }
            cache[key] = verified
        }
        return verified
    }

    /// How many bcrypt verifications the cache holds (for tests).
    var cachedCount: Int { cache.withLock { $0.count } }
}
