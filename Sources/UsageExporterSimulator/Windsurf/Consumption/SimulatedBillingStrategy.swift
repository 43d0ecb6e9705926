/// How a simulated team is billed: what `metadata.billing_strategy` says and which consumption fields its
/// rows fill.
public enum SimulatedBillingStrategy: Sendable, Equatable {
    /// `CREDITS`: rows fill `prompt_credits` and `flex_credits` (standard Enterprise SaaS teams).
    case credits
    /// `ACU`: rows fill `billed_acus` (teams billed in Agent Compute Units).
    case acu
    /// A strategy the endpoint refuses, as the real one refuses `QUOTA`: 400 `{"error":"<NAME> billing
    /// strategy is not yet supported by this endpoint"}`.
    case unsupported(String)

    /// The `billing_strategy` value.
    public var name: String {
        switch self {
        case .credits: "CREDITS"
        case .acu: "ACU"
        case .unsupported(let name): name
        }
    }
}
