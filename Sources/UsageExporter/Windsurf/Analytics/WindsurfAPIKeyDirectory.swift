/// The user page's `apiKey` → `email` label of one team or group, for joining the custom API's `api_key`
/// rows to users. The keys are secrets: the directory lives only for one poll, and printing it shows how
/// many keys it holds, never a key.
public struct WindsurfAPIKeyDirectory: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let emails: [String: String]

    public static let empty = WindsurfAPIKeyDirectory(emails: [:])

    private init(emails: [String: String]) {
        self.emails = emails
    }

    /// The keys of `page`'s users with an email, labelled by `labeler` (plain or pseudonymized).
    public init(_ page: WindsurfAPIKeyPage, labeler: EmailLabeler) {
        var emails: [String: String] = [:]
        for user in page.users {
            guard let key = user.apiKey?.value, let email = labeler.label(for: user.email) else { continue }
            emails[key] = email
        }
        self.init(emails: emails)
    }

    /// The email label of the user whose key is `key`, or nil for a key no user of the page holds.
    public func email(forKey key: String) -> String? { emails[key] }

    public var description: String { "\(emails.count) api keys" }
    public var debugDescription: String { description }
}
