/// The `privacy` section: what per-user data leaves the exporter.
public struct PrivacyConfiguration: Sendable, Equatable {
    /// Replace every `email` label by a keyed hash and drop `name` labels.
    public var pseudonymizeEmails: Bool
    /// The HMAC key, read from `salt_file`; required when pseudonymizing.
    public var salt: Secret?
    /// Export per-user series; false keeps only team and customer aggregates.
    public var perUser: Bool

    public init(pseudonymizeEmails: Bool = false, salt: Secret? = nil, perUser: Bool = true) {
        self.pseudonymizeEmails = pseudonymizeEmails
        self.salt = salt
        self.perUser = perUser
    }

    /// Whether `other` exports users the same way: the same `email` labels and the same per-user choice. The
    /// salt matters only while pseudonymizing, so a salt edited with pseudonymization off changes nothing.
    public func exportsUsersTheSame(as other: PrivacyConfiguration) -> Bool {
        perUser == other.perUser && EmailLabeler(privacy: self) == EmailLabeler(privacy: other)
    }
}
