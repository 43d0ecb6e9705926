/// `aggregation_function` of a custom-analytics selection. A string that is not one of these parses as
/// `unspecified`, as an unknown enum string does (the docs' `invalid query table` message shows it for `data_source`).
enum AnalyticsAggregationFunction: String, Sendable {
    case unspecified = "QUERY_AGGREGATION_UNSPECIFIED"
    case count = "QUERY_AGGREGATION_COUNT"
    case sum = "QUERY_AGGREGATION_SUM"
    case avg = "QUERY_AGGREGATION_AVG"
    case max = "QUERY_AGGREGATION_MAX"
    case min = "QUERY_AGGREGATION_MIN"

    init(parsing text: String?) {
        self = text.flatMap(Self.init(rawValue:)) ?? .unspecified
    }

    /// `sum`, as the default alias `sum_<field>` writes it.
    var shortName: String {
        String(rawValue.dropFirst("QUERY_AGGREGATION_".count)).lowercased()
    }
}
