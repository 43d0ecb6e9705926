/// The answer of `POST /api/v1/GetUsageConfig` with `team_level: true`: the per-user add-on credit cap
/// applied to the team's users; absent (`{}`) when no cap is set. The field is spelled `addOnCreditCap`
/// in newer documentation and `add_on_credit_cap` in older; both are read.
public struct WindsurfUsageConfig: Sendable, Equatable, Decodable, WindsurfAnswer {
    public var addOnCreditCap: Double?
    public var error: String

    public init(addOnCreditCap: Double?) {
        self.addOnCreditCap = addOnCreditCap
        self.error = ""
    }

    enum CodingKeys: String, CodingKey {
        case addOnCreditCap
        case addOnCreditCapSnakeCase = "add_on_credit_cap"
        case error
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let camelCase = try container.decodeFlexibleNumber(forKey: .addOnCreditCap)
        addOnCreditCap = try camelCase ?? container.decodeFlexibleNumber(forKey: .addOnCreditCapSnakeCase)
        error = try container.decodeString(forKey: .error)
    }
}
