/// How the simulated `GetUsageConfig` spells its one field: the reference §4 finds both in the docs.
public enum AddOnCreditCapSpelling: String, Sendable, CaseIterable {
    /// `addOnCreditCap`: the newer docs and Windsurf's samples (the default).
    case camelCase = "addOnCreditCap"
    /// `add_on_credit_cap`: the older docs.
    case snakeCase = "add_on_credit_cap"
}
