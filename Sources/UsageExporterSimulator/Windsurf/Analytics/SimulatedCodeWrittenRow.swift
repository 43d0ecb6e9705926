/// One `QUERY_DATA_SOURCE_PCW_DATA` row: the bytes a member wrote on one UTC day, in one language and IDE,
/// by author. AI bytes (`codeium_bytes`) are autocomplete + command; the autocomplete bytes are the member's
/// accepted bytes (USER_DATA `num_bytes_accepted`) of the day. Stored in 16 bytes.
public struct SimulatedCodeWrittenRow: Sendable, Hashable {
    let memberIndex: UInt32
    let userByteCount: UInt32
    let unixDay: UInt16
    let autocompleteByteCount: UInt16
    let commandByteCount: UInt16
    let languageCode: UInt8
    let ideCode: UInt8

    init(member: Int, day: Int, language: UInt8, ide: UInt8, autocompleteBytes: Int, commandBytes: Int, userBytes: Int) {
        memberIndex = UInt32(member)
        userByteCount = UInt32(min(userBytes, Int(UInt32.max)))
        unixDay = UInt16(day)
        autocompleteByteCount = UInt16(min(autocompleteBytes, Int(UInt16.max)))
        commandByteCount = UInt16(min(commandBytes, Int(UInt16.max)))
        languageCode = language
        ideCode = ide
    }

    /// A placeholder for preallocated storage.
    static let zero = SimulatedCodeWrittenRow(member: 0, day: 0, language: 0, ide: 0, autocompleteBytes: 0, commandBytes: 0, userBytes: 0)

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
