import Crypto
import Foundation

/// Turns an upstream email address into the `email` label value, the same way for every source so that
/// Windsurf and Workspace series join on it: trimmed and lower-cased, or, when pseudonymizing, the first
/// 16 hex characters of HMAC-SHA256(salt, trimmed lower-cased address).
public struct EmailLabeler: Sendable, Equatable {
    private let salt: Secret?

    /// Plain addresses.
    public init() {
        salt = nil
    }

    /// Pseudonymized addresses, keyed by `salt`.
    public init(pseudonymizingWith salt: Secret) {
        self.salt = salt
    }

    /// The labeler `privacy` asks for.
    public init(privacy: PrivacyConfiguration) {
        if privacy.pseudonymizeEmails, let salt = privacy.salt {
            self.init(pseudonymizingWith: salt)
        } else {
            self.init()
        }
    }

    /// True when labels are pseudonyms; `name` labels are then dropped too.
    public var isPseudonymizing: Bool { salt != nil }

    /// The label value for `email`, or nil when the address is empty.
    public func label(for email: String) -> String? {
        let normalized = email.trimmingWhitespace.lowercased()
        guard !normalized.isEmpty else { return nil }
        guard let salt else { return normalized }
        let code = HMAC<SHA256>.authenticationCode(for: Data(normalized.utf8), using: SymmetricKey(data: Data(salt.value.utf8)))
        return code.prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
