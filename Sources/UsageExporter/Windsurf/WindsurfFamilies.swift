/// The Windsurf metric families of SPEC.md, with their help texts.
public enum WindsurfFamilies {
    public static let userInfo = MetricFamily(
        "windsurf_user_info",
        help: "A Windsurf team member, with name, role and team status; always 1.",
        labels: ["team", "group", "email", "name", "role", "team_status"]
    )
    public static let userPromptCreditsUsed = MetricFamily(
        "windsurf_user_prompt_credits_used",
        help: "Prompt credits the user used in the current billing cycle.",
        labels: ["team", "group", "email"]
    )
    public static let userActiveDates = MetricFamily(
        "windsurf_user_active_dates",
        help: "Distinct days with Windsurf activity within the configured active_days_window.",
        labels: ["team", "group", "email"]
    )
    public static let userDisabled = MetricFamily(
        "windsurf_user_disabled",
        help: "1 when Windsurf is disabled for the user (disableCodeium), else 0.",
        labels: ["team", "group", "email"]
    )
    public static let userSignupTimestamp = MetricFamily(
        "windsurf_user_signup_timestamp_seconds",
        help: "When the user signed up, in Unix seconds.",
        labels: ["team", "group", "email"]
    )
    public static let userLastUpdateTimestamp = MetricFamily(
        "windsurf_user_last_update_timestamp_seconds",
        help: "When Windsurf last updated the user's statistics, in Unix seconds.",
        labels: ["team", "group", "email"]
    )
    public static let userLastUsageTimestamp = MetricFamily(
        "windsurf_user_last_usage_timestamp_seconds",
        help: "When the user last used a kind of feature (autocomplete, chat, command), in Unix seconds; absent when never used.",
        labels: ["team", "group", "email", "kind"]
    )
    public static let userLastUsageAge = MetricFamily(
        "windsurf_user_last_usage_age_seconds",
        help: "Seconds since the user last used a kind of feature, computed at scrape time.",
        labels: ["team", "group", "email", "kind"]
    )
    public static let users = MetricFamily(
        "windsurf_users",
        help: "Number of Windsurf team members by role and team status.",
        labels: ["team", "group", "role", "team_status"]
    )
    public static let activeUsers = MetricFamily(
        "windsurf_active_users",
        help: "Users whose newest usage of any kind is within the window before now (1d, 7d, 30d).",
        labels: ["team", "group", "window"]
    )
    public static let promptCreditsUsed = MetricFamily(
        "windsurf_prompt_credits_used",
        help: "Prompt credits used in the current billing cycle, summed over users.",
        labels: ["team", "group"]
    )
    public static let billingCycleStart = MetricFamily(
        "windsurf_billing_cycle_start_timestamp_seconds",
        help: "Start of the current billing cycle, in Unix seconds.",
        labels: ["team"]
    )
    public static let billingCycleEnd = MetricFamily(
        "windsurf_billing_cycle_end_timestamp_seconds",
        help: "End of the current billing cycle, in Unix seconds.",
        labels: ["team"]
    )
    public static let teamSeats = MetricFamily(
        "windsurf_team_seats",
        help: "Seats of the team (GetTeamCreditBalance numSeats).",
        labels: ["team"]
    )
    public static let teamPromptCreditsPerSeat = MetricFamily(
        "windsurf_team_prompt_credits_per_seat",
        help: "Prompt credits allotted per seat each billing cycle.",
        labels: ["team"]
    )
    public static let teamAddOnCreditsAvailable = MetricFamily(
        "windsurf_team_add_on_credits_available",
        help: "Add-on prompt credits available to the team this billing cycle.",
        labels: ["team"]
    )
    public static let teamAddOnCreditsUsed = MetricFamily(
        "windsurf_team_add_on_credits_used",
        help: "Add-on prompt credits used this billing cycle.",
        labels: ["team"]
    )
    public static let teamAddOnCreditCap = MetricFamily(
        "windsurf_team_add_on_credit_cap",
        help: "The per-user add-on credit cap applied to the team's users (GetUsageConfig); absent when no cap is set.",
        labels: ["team"]
    )

    /// The families of the user page (collector `windsurf`), in the order of SPEC.md.
    public static let userPage = [
        userInfo, userPromptCreditsUsed, userActiveDates, userDisabled, userSignupTimestamp, userLastUpdateTimestamp, userLastUsageTimestamp,
        userLastUsageAge, users, activeUsers, promptCreditsUsed, billingCycleStart, billingCycleEnd,
    ]

    /// The families of `GetTeamCreditBalance` and `GetUsageConfig` (collector `windsurf_credit_balance`).
    public static let creditBalance = [teamSeats, teamPromptCreditsPerSeat, teamAddOnCreditsAvailable, teamAddOnCreditsUsed, teamAddOnCreditCap]

    /// The windows of `windsurf_active_users`, by label value.
    public static let activeUserWindows: [(label: String, seconds: Double)] = [("1d", 86_400), ("7d", 604_800), ("30d", 2_592_000)]
}
