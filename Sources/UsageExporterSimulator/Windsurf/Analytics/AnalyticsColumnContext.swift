import UsageExporter

/// What reading and rendering `UserDataColumn` codes needs for one team's rows: the members (for `api_key` and
/// `version`) and the day offset (a date's code is its Unix day − `dayBase`, so that shifted dates one day before
/// the first day still have a code).
struct AnalyticsColumnContext {
    let analytics: SimulatedWindsurfAnalytics
    let versions: [UInt8]
    let dayBase: Int
    let dayCardinality: Int

    init(analytics: SimulatedWindsurfAnalytics) {
        self.analytics = analytics
        versions = analytics.members.map(\.versionCode)
        dayBase = analytics.firstDay - 1
        dayCardinality = analytics.lastDay - analytics.firstDay + 3
    }

    /// How many codes the column has (numbers: every `UInt16`).
    func cardinality(_ column: UserDataColumn) -> Int {
        switch column {
        case .apiKey, .distinctUsers: max(1, analytics.members.count)
        case .date, .shiftedDate, .distinctDeveloperDays: dayCardinality
        case .hour, .distinctDeveloperHours: 24
        case .language: SimulatedAnalyticsVocabulary.languages.count
        case .ide: SimulatedAnalyticsVocabulary.ides.count
        case .version: SimulatedAnalyticsVocabulary.versions.count
        case .acceptances, .linesAccepted, .bytesAccepted: Int(UInt16.max) + 1
        }
    }

    @inline(__always)
    func code(_ column: UserDataColumn, _ row: SimulatedAutocompleteRow) -> Int {
        switch column {
        case .apiKey, .distinctUsers: Int(row.memberIndex)
        case .date: Int(row.unixDay) - dayBase
        case .shiftedDate(let hours): Self.floorDivide(Int(row.unixDay) * 24 + Int(row.hourOfDay) + hours, 24) - dayBase
        case .hour: Int(row.hourOfDay)
        case .language: Int(row.languageCode)
        case .ide: Int(row.ideCode)
        case .version: Int(versions[Int(row.memberIndex)])
        case .acceptances: Int(row.acceptanceCount)
        case .linesAccepted: Int(row.lineCount)
        case .bytesAccepted: Int(row.byteCount)
        case .distinctDeveloperDays: Int(row.memberIndex) * dayCardinality + Int(row.unixDay) - dayBase
        case .distinctDeveloperHours: (Int(row.memberIndex) * dayCardinality + Int(row.unixDay) - dayBase) * 24 + Int(row.hourOfDay)
        }
    }

    /// The code of a PCW row's `language`, `ide` or `version` (PCW's only filter fields).
    @inline(__always)
    func code(_ column: UserDataColumn, _ row: SimulatedCodeWrittenRow) -> Int {
        switch column {
        case .language: Int(row.languageCode)
        case .ide: Int(row.ideCode)
        case .version: Int(versions[Int(row.memberIndex)])
        default: 0
        }
    }

    /// The answer's text of a string field's code.
    func render(_ column: UserDataColumn, _ code: Int) -> String {
        switch column {
        case .apiKey: code < analytics.members.count ? analytics.members[code].apiKey : ""
        case .date, .shiftedDate: RFC3339Timestamp.date(ofDay: code + dayBase)
        case .language: SimulatedAnalyticsVocabulary.languages[code]
        case .ide: SimulatedAnalyticsVocabulary.ides[code]
        case .version: SimulatedAnalyticsVocabulary.versions[code]
        default: String(code)
        }
    }

    /// For each code of `column`, whether `filter` keeps it: dates and hours compare as numbers, numbers as
    /// numbers, other strings by their text.
    func table(_ column: UserDataColumn, _ filter: AnalyticsQuery.Filter) -> [Bool] {
        let count = cardinality(column)
        func order<T: Comparable>(_ left: T, _ right: T) -> Int { left < right ? -1 : left == right ? 0 : 1 }
        if column.isDate {
            let target = (RFC3339Timestamp.day(ofDate: filter.value) ?? 0) - dayBase
            return (0..<count).map { filter.op.holds(order: order($0, target)) }
        }
        if column == .hour || column.isNumber {
            let target = Double(filter.value) ?? 0
            return (0..<count).map { filter.op.holds(order: order(Double($0), target)) }
        }
        return (0..<count).map { filter.op.holds(order: order(render(column, $0), filter.value)) }
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }
}
