/// `filter` of a custom-analytics filter. An unknown string parses as `unspecified`, which is refused.
enum AnalyticsFilterOperator: String, Sendable {
    case unspecified = "QUERY_FILTER_UNSPECIFIED"
    case equal = "QUERY_FILTER_EQUAL"
    case notEqual = "QUERY_FILTER_NOT_EQUAL"
    case greaterThan = "QUERY_FILTER_GREATER_THAN"
    case lessThan = "QUERY_FILTER_LESS_THAN"
    case greaterOrEqual = "QUERY_FILTER_GE"
    case lessOrEqual = "QUERY_FILTER_LE"

    init(parsing text: String?) {
        self = text.flatMap(Self.init(rawValue:)) ?? .unspecified
    }

    /// Whether `left <op> right` holds for an ordering where `order` is `left` compared to `right` (-1, 0, 1).
    func holds(order: Int) -> Bool {
        switch self {
        case .unspecified: false
        case .equal: order == 0
        case .notEqual: order != 0
        case .greaterThan: order > 0
        case .lessThan: order < 0
        case .greaterOrEqual: order >= 0
        case .lessOrEqual: order <= 0
        }
    }
}
