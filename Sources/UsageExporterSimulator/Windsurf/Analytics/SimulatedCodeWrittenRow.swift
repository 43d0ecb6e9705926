/// One `QUERY_DATA_SOURCE_PCW_DATA` row: the bytes a member wrote on one UTC day, in one language and IDE,
/// by author. AI bytes (`codeium_bytes`) are autocomplete + command.
public struct SimulatedCodeWrittenRow: Sendable, Hashable {
    let memberIndex: UInt32
    let autocompleteByteCount: UInt32
    let commandByteCount: UInt32
    let userByteCount: UInt32
    let unixDay: UInt16
    let languageCode: UInt8
    let ideCode: UInt8

    /// Index into `SimulatedWindsurfAnalytics.members`.
    public var member: Int { Int(memberIndex) }
    /// Days since 1970-01-01 (UTC).
    public var day: Int { Int(unixDay) }
    public var language: String { SimulatedAnalyticsVocabulary.languages[Int(languageCode)] }
    public var ide: String { SimulatedAnalyticsVocabulary.ides[Int(ideCode)] }
    /// `codeium_bytes_by_autocomplete`.
    public var autocompleteBytes: Int { Int(autocompleteByteCount) }
    /// `codeium_bytes_by_command`.
    public var commandBytes: Int { Int(commandByteCount) }
    /// `user_bytes`.
    public var userBytes: Int { Int(userByteCount) }
    /// `codeium_bytes`: autocomplete + command.
    public var aiBytes: Int { autocompleteBytes + commandBytes }
}
