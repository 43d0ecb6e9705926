/// The `email` and `apiKey` of each user of a `UserPageAnalytics` answer, read only by the analytics
/// collector to join the custom API's `api_key` rows to users. The keys are secrets: they stay in memory
/// for the poll and are never logged, exported or written anywhere (`Secret` never prints its value).
public struct WindsurfAPIKeyPage: Sendable, Decodable, WindsurfAnswer {
    public struct User: Sendable, Decodable {
        public let email: String
        public let apiKey: Secret?

        enum CodingKeys: String, CodingKey { case email, apiKey }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            email = try container.decodeString(forKey: .email)
            let key = try container.decodeString(forKey: .apiKey)
            apiKey = key.isEmpty ? nil : Secret(key)
        }
    }

    public let users: [User]
    public let error: String

    enum CodingKeys: String, CodingKey { case userTableStats, error }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        users = try container.decodeIfPresent([User].self, forKey: .userTableStats) ?? []
        error = try container.decodeString(forKey: .error)
    }
}
