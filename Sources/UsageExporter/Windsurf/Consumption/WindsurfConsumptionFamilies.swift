/// The Devin Desktop (formerly Windsurf) consumption families (`GET /api/v2alpha/analytics/consumption`,
/// collector `windsurf_consumption`), with their help texts. The window families are labelled `team` and
/// `window` (each entry of `analytics_windows`: N complete UTC days), `model` (the API's `model_uid`) and, per
/// user, `email`. There is no `group` label: the API has no group filter (a group-scoped service key sees
/// its group only).
public enum WindsurfConsumptionFamilies {
    /// Every family, in the order a snapshot lists them; a family missing here is never exported.
    public static let all = [
        userPromptCredits, userFlexCredits, userACUs, userMessages, promptCredits, flexCredits, acus, messages, billingStrategyInfo,
        dataFreshness,
    ]

    public static let userPromptCredits = MetricFamily(
        "windsurf_user_consumption_prompt_credits",
        help: "Prompt credits the user consumed over the window's days, by model (teams billed in credits).",
        labels: ["team", "window", "email", "model"]
    )
    public static let userFlexCredits = MetricFamily(
        "windsurf_user_consumption_flex_credits",
        help: "Flex (add-on) credits the user consumed over the window's days, by model (teams billed in credits).",
        labels: ["team", "window", "email", "model"]
    )
    public static let userACUs = MetricFamily(
        "windsurf_user_consumption_acus",
        help: "Agent Compute Units billed for the user over the window's days, by model (teams billed in ACUs).",
        labels: ["team", "window", "email", "model"]
    )
    public static let userMessages = MetricFamily(
        "windsurf_user_consumption_messages",
        help: "Messages the user sent over the window's days, by model (message_count).",
        labels: ["team", "window", "email", "model"]
    )
    public static let promptCredits = MetricFamily(
        "windsurf_consumption_prompt_credits",
        help: "Prompt credits the team consumed over the window's days, by model (teams billed in credits).",
        labels: ["team", "window", "model"]
    )
    public static let flexCredits = MetricFamily(
        "windsurf_consumption_flex_credits",
        help: "Flex (add-on) credits the team consumed over the window's days, by model (teams billed in credits).",
        labels: ["team", "window", "model"]
    )
    public static let acus = MetricFamily(
        "windsurf_consumption_acus",
        help: "Agent Compute Units billed to the team over the window's days, by model (teams billed in ACUs).",
        labels: ["team", "window", "model"]
    )
    public static let messages = MetricFamily(
        "windsurf_consumption_messages",
        help: "Messages the team sent over the window's days, by model (message_count).",
        labels: ["team", "window", "model"]
    )
    public static let billingStrategyInfo = MetricFamily(
        "windsurf_consumption_billing_strategy_info",
        help: "How the team is billed, as the consumption API says (metadata.billing_strategy: CREDITS or ACU); always 1.",
        labels: ["team", "strategy"]
    )
    public static let dataFreshness = MetricFamily(
        "windsurf_consumption_data_freshness_timestamp_seconds",
        help: "Until when the consumption API's hourly-aggregated data is complete (metadata.data_freshness), in Unix seconds.",
        labels: ["team"]
    )
}
