import UsageExporter

/// One `QUERY_DATA_SOURCE_USER_DATA` row: a member's autocomplete in one UTC hour, one language and one IDE.
/// Stored in 12 bytes (hour, language, IDE, acceptances and lines share one 32-bit word); the public properties
/// decode it.
public struct SimulatedAutocompleteRow: Sendable, Hashable {
    let memberIndex: UInt32
    let unixDay: UInt16
    let byteCount: UInt16
    /// hour (5 bits) | language (4) << 5 | ide (2) << 9 | acceptances (8) << 11 | lines (10) << 19.
    let packed: UInt32

    init(member: Int, day: Int, hour: Int, language: UInt8, ide: UInt8, acceptances: Int, lines: Int, bytes: Int) {
        memberIndex = UInt32(member)
        unixDay = UInt16(day)
        byteCount = UInt16(min(bytes, Int(UInt16.max)))
        packed = UInt32(hour) | UInt32(language) << 5 | UInt32(ide) << 9 | UInt32(min(acceptances, 255)) << 11 | UInt32(min(lines, 1_023)) << 19
    }

    /// A placeholder for preallocated storage.
    static let zero = SimulatedAutocompleteRow(member: 0, day: 0, hour: 0, language: 0, ide: 0, acceptances: 0, lines: 0, bytes: 0)

    var hourOfDay: Int { Int(packed & 0x1F) }
    var languageCode: Int { Int(packed >> 5 & 0xF) }
    var ideCode: Int { Int(packed >> 9 & 0x3) }
    var acceptanceCount: Int { Int(packed >> 11 & 0xFF) }
    var lineCount: Int { Int(packed >> 19 & 0x3FF) }

    /// Index into `SimulatedWindsurfAnalytics.members`.
    public var member: Int { Int(memberIndex) }
    /// Days since 1970-01-01 (UTC).
    public var day: Int { Int(unixDay) }
    /// `date` as the API writes it: `YYYY-MM-DD`.
    public var date: String { RFC3339Timestamp.date(ofDay: day) }
    /// `hour`: the UTC hour of the day, 0–23.
    public var hour: Int { hourOfDay }
    public var language: String { SimulatedAnalyticsVocabulary.languages[languageCode] }
    public var ide: String { SimulatedAnalyticsVocabulary.ides[ideCode] }
    /// `num_acceptances`.
    public var acceptances: Int { acceptanceCount }
    /// `num_lines_accepted`.
    public var linesAccepted: Int { lineCount }
    /// `num_bytes_accepted`.
    public var bytesAccepted: Int { Int(byteCount) }
}
