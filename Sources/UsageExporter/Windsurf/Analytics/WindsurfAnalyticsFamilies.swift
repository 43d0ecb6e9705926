/// The Windsurf analytics families of SPEC.md ("Windsurf analytics"), with their help texts. Every one is
/// labelled `team`, `group` (when `groups` is configured) and `window`.
public enum WindsurfAnalyticsFamilies {
    /// Every family, in the order a snapshot lists them; a family missing here is never exported.
    public static let all = [
        cascadeLinesSuggested, cascadeLinesAccepted, cascadeMessagesSent, cascadePromptCreditsUsed, cascadeConversations, cascadeToolCalls,
        autocompleteAcceptances, autocompleteLinesAccepted, autocompleteAcceptedBytes, autocompleteUsers, userAutocompleteAcceptances,
        userAutocompleteLinesAccepted, codeWrittenBytes, aiCodeWrittenRatio,
    ]

    public static let cascadeLinesSuggested = MetricFamily(
        "windsurf_cascade_lines_suggested",
        help: "Lines of code Cascade suggested over the window's days (cascade_lines linesSuggested).",
        labels: ["team", "group", "window"]
    )
    public static let cascadeLinesAccepted = MetricFamily(
        "windsurf_cascade_lines_accepted",
        help: "Lines of code suggested by Cascade that were accepted over the window's days (cascade_lines linesAccepted).",
        labels: ["team", "group", "window"]
    )
    public static let cascadeMessagesSent = MetricFamily(
        "windsurf_cascade_messages_sent",
        help: "Messages sent to Cascade over the window's days, by model and mode (cascade_runs messagesSent).",
        labels: ["team", "group", "window", "model", "mode"]
    )
    public static let cascadePromptCreditsUsed = MetricFamily(
        "windsurf_cascade_prompt_credits_used",
        help: "Prompt credits Cascade used over the window's days, by model and mode (cascade_runs promptsUsed / 100).",
        labels: ["team", "group", "window", "model", "mode"]
    )
    public static let cascadeConversations = MetricFamily(
        "windsurf_cascade_conversations",
        help: "Distinct Cascade conversations over the window's days (distinct cascade_runs cascadeId).",
        labels: ["team", "group", "window"]
    )
    public static let cascadeToolCalls = MetricFamily(
        "windsurf_cascade_tool_calls",
        help: "Cascade tool calls over the window, by tool (cascade_tool_usage count).",
        labels: ["team", "group", "window", "tool"]
    )
    public static let autocompleteAcceptances = MetricFamily(
        "windsurf_autocomplete_acceptances",
        help: "Autocomplete suggestions accepted over the window's days, by language and IDE.",
        labels: ["team", "group", "window", "language", "ide"]
    )
    public static let autocompleteLinesAccepted = MetricFamily(
        "windsurf_autocomplete_lines_accepted",
        help: "Lines of accepted autocomplete suggestions over the window's days, by language and IDE.",
        labels: ["team", "group", "window", "language", "ide"]
    )
    public static let autocompleteAcceptedBytes = MetricFamily(
        "windsurf_autocomplete_accepted_bytes",
        help: "Bytes of accepted autocomplete suggestions over the window's days, by language and IDE.",
        labels: ["team", "group", "window", "language", "ide"]
    )
    public static let autocompleteUsers = MetricFamily(
        "windsurf_autocomplete_users",
        help: "Distinct users with autocomplete activity over the window's days.",
        labels: ["team", "group", "window"]
    )
    public static let userAutocompleteAcceptances = MetricFamily(
        "windsurf_user_autocomplete_acceptances",
        help: "Autocomplete suggestions the user accepted over the window's days.",
        labels: ["team", "group", "window", "email"]
    )
    public static let userAutocompleteLinesAccepted = MetricFamily(
        "windsurf_user_autocomplete_lines_accepted",
        help: "Lines of autocomplete suggestions the user accepted over the window's days.",
        labels: ["team", "group", "window", "email"]
    )
    public static let codeWrittenBytes = MetricFamily(
        "windsurf_code_written_bytes",
        help: "Bytes of code written over the window, by author: autocomplete and command (the AI), or user (Percent Code Written data).",
        labels: ["team", "group", "window", "author"]
    )
    public static let aiCodeWrittenRatio = MetricFamily(
        "windsurf_ai_code_written_ratio",
        help:
            "Share of the code written over the window that the AI wrote (percent_code_written as the API gives it, a fraction 0-1); absent when no code was written.",
        labels: ["team", "group", "window"]
    )
}
