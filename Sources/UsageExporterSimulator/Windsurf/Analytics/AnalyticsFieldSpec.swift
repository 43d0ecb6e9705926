/// What a custom-analytics field is: its type and the aggregation functions the reference's field tables allow.
struct AnalyticsFieldSpec: Sendable {
    enum Kind: Sendable {
        case string
        case number
        case boolean
        /// `distinct_*`: selectable, never in `aggregations`; `instead` is the documented message's list.
        case distinct(instead: [String])
    }

    typealias Function = AnalyticsAggregationFunction

    let kind: Kind
    let functions: Set<Function>
    /// PCW's `language`, `ide` and `version`: filters only, neither selections nor aggregations.
    var filterOnly = false

    static let string = AnalyticsFieldSpec(kind: .string, functions: [.unspecified, .count])
    static let number = AnalyticsFieldSpec(kind: .number, functions: [.sum, .max, .min, .avg])
    static let boolean = AnalyticsFieldSpec(kind: .boolean, functions: [.sum, .count])
    static let pcwNumber = AnalyticsFieldSpec(kind: .number, functions: [.unspecified])
    static let pcwFilter = AnalyticsFieldSpec(kind: .string, functions: [], filterOnly: true)
    static func distinct(_ instead: [String]) -> AnalyticsFieldSpec {
        AnalyticsFieldSpec(kind: .distinct(instead: instead), functions: [.unspecified, .count])
    }

    /// The type word of `invalid aggregation function for <type> type field …`.
    var typeName: String {
        switch kind {
        case .string: "string"
        case .number, .distinct: "number"
        case .boolean: "boolean"
        }
    }

    var isDistinct: Bool {
        if case .distinct = kind { return true }
        return false
    }
}
