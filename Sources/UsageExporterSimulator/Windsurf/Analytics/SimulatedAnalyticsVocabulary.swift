/// The strings the simulated analytics rows use, indexed by the small codes the rows store.
public enum SimulatedAnalyticsVocabulary {
    /// `language` values of USER_DATA and PCW_DATA rows.
    public static let languages = ["PYTHON", "GO", "TSX", "KOTLIN", "JAVA", "YAML", "MARKDOWN", "SHELL", "UNSPECIFIED"]
    /// `ide` values of USER_DATA and PCW_DATA rows.
    public static let ides = ["windsurf", "jetbrains", "vscode", "windsurf-next"]
    /// `version` values, per IDE (index into `versions` is a member's version code).
    public static let versions = ["1.12.21", "1.12.18", "1.11.5", "1.28.0", "130.0", "1.13.0-next"]
    /// Cascade `model` display names, and what one message costs in hundredths of a credit: a row's
    /// `promptsUsed` is messages × this, plus 0–60 for some rows; SWE-1.5 is free, so its rows omit `promptsUsed`.
    public static let models: [(name: String, hundredthsPerMessage: Int)] = [
        ("Claude Sonnet 4.5", 200), ("GPT-5", 50), ("SWE-1.5", 0), ("Claude 3.7 Sonnet (Thinking)", 125), ("Gemini 2.5 Pro", 100),
    ]
    /// Cascade `mode` values: the four the docs list, `UNKNOWN` included.
    public static let modes = [
        "CONVERSATIONAL_PLANNER_MODE_DEFAULT", "CONVERSATIONAL_PLANNER_MODE_READ_ONLY", "CONVERSATIONAL_PLANNER_MODE_NO_TOOL", "UNKNOWN",
    ]
    /// `ide_types` values of CascadeAnalytics; a Cascade row belongs to one of them. `cli` rows only ever appear
    /// in `cascade_runs` (the docs: with `cli`, `cascade_lines` and `cascade_tool_usage` are empty).
    public static let cascadeIDETypes = ["editor", "jetbrains", "cli"]
    /// `cascade_tool_usage` tools: the reference's table, then three seen only in practice.
    public static let tools = [
        "CODE_ACTION", "VIEW_FILE", "RUN_COMMAND", "FIND", "GREP_SEARCH", "VIEW_FILE_OUTLINE", "MQUERY", "WORKFLOWS_USED",
        "LIST_DIRECTORY", "MCP_TOOL", "PROPOSE_CODE", "SEARCH_WEB", "MEMORY", "PROXY_WEB_SERVER", "DEPLOY_WEB_APP",
        "EDIT", "MULTI_EDIT", "WRITE_TO_FILE",
    ]
    /// Tools absent from the reference's table (an exporter must treat `tool` as an open set).
    public static let undocumentedTools: Set<String> = ["EDIT", "MULTI_EDIT", "WRITE_TO_FILE"]

    static let modeDefault: UInt8 = 0
    static let modeReadOnly: UInt8 = 1
    static let modeNoTool: UInt8 = 2
    static let modeUnknown: UInt8 = 3
    static let cascadeEditor: UInt8 = 0
    static let cascadeJetBrains: UInt8 = 1
    static let cascadeCLI: UInt8 = 2
    static let ideJetBrains: UInt8 = 1
}
