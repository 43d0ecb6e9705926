/// One `QUERY_DATA_SOURCE_USER_DATA` row: a member's autocomplete in one UTC hour, one language and one IDE.
/// Stored in 16 bytes; the public properties decode it.
public struct SimulatedAutocompleteRow: Sendable, Hashable {
    let memberIndex: UInt32
    let unixDay: UInt16
    let hourOfDay: UInt8
    let languageCode: UInt8
    let ideCode: UInt8
    let acceptanceCount: UInt16
    let lineCount: UInt16
    let byteCount: UInt16

    /// Index into `SimulatedWindsurfAnalytics.members`.
    public var member: Int { Int(memberIndex) }
    /// Days since 1970-01-01 (UTC).
    public var day: Int { Int(unixDay) }
    /// `date` as the API writes it: `YYYY-MM-DD`.
    public var date: String { RFC3339.date(unixDay: day) }
    /// `hour`: the UTC hour of the day, 0–23.
    public var hour: Int { Int(hourOfDay) }
    public var language: String { SimulatedAnalyticsVocabulary.languages[Int(languageCode)] }
    public var ide: String { SimulatedAnalyticsVocabulary.ides[Int(ideCode)] }
    /// `num_acceptances`.
    public var acceptances: Int { Int(acceptanceCount) }
    /// `num_lines_accepted`.
    public var linesAccepted: Int { Int(lineCount) }
    /// `num_bytes_accepted`.
    public var bytesAccepted: Int { Int(byteCount) }
}
