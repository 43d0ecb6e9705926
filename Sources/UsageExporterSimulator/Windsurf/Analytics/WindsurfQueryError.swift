/// A request the analytics endpoints refuse with HTTP 400 and `{"error": message}`. The documented messages are
/// reproduced exactly (reference §1); the cases marked "simulator's choice" cover what the docs leave unsaid,
/// with wording of the simulator's own.
public enum WindsurfQueryError: Error, Sendable, Equatable {
    /// `invalid query table: QUERY_DATA_SOURCE_UNSPECIFIED`: `data_source` missing, misspelled or unknown.
    case invalidQueryTable
    /// `at least one field or aggregation is required`.
    case noFieldOrAggregation
    /// `all selection fields should have an aggregation function, or none of them should`.
    case mixedAggregationFunctions
    /// `invalid aggregation function for <type> type field <field>: <function>`; `type` is `string`
    /// (documented), or `number`/`boolean` (the simulator's analogous wording).
    case invalidAggregationFunction(type: String, field: String, function: String)
    /// `tried to aggregate on a distinct field: <field>. Consider aggregating on the non-distinct fields instead: [<fields>]`.
    case distinctFieldAggregated(field: String, instead: [String])
    /// `duplicate field alias for selection/aggregation: <alias>`.
    case duplicateAlias(String)
    /// `invalid group name: <name>`.
    case invalidGroupName(String)
    /// `invalid timestamp format`.
    case invalidTimestampFormat
    /// `Cannot use both group_name and emails parameters` (CascadeAnalytics).
    case groupNameAndEmails
    /// Simulator's choice: `unknown field <field> for <data source>`.
    case unknownField(field: String, dataSource: String)
    /// Simulator's choice: `QUERY_DATA_SOURCE_PCW_DATA does not support aggregations`.
    case aggregationNotSupported(dataSource: String)
    /// Simulator's choice: `invalid filter operator for field <field>: <operator>`.
    case invalidFilterOperator(field: String, operator: String)
    /// Simulator's choice: `cannot filter on a distinct field: <field>`.
    case distinctFieldFiltered(String)
    /// Simulator's choice: `invalid filter value for field <field>: <value>` (a date that is not `YYYY-MM-DD`, an
    /// hour that is not 0–23, a number that is not one, a boolean that is not `true`/`false`).
    case invalidFilterValue(field: String, value: String)
    /// GetUsageConfig, simulator's wording (the docs name the scenario only): `one of team_level, group_id or
    /// user_email is required`.
    case usageConfigScopeMissing
    /// GetUsageConfig, simulator's wording: `only one of team_level, group_id or user_email may be given`.
    case usageConfigScopeAmbiguous
    /// GetUsageConfig, simulator's wording: `invalid group id: <id>`.
    case invalidGroupID(String)
    /// GetUsageConfig, simulator's wording: `invalid user email: <email>`.
    case invalidUserEmail(String)
    /// Simulator's choice: `invalid request body: <detail>` (not JSON, an unknown member, a wrong type, a
    /// query request without a data source, an unknown `ide_types` value).
    case invalidRequestBody(String)

    /// The text of the `error` member.
    public var message: String {
        switch self {
        case .invalidQueryTable: "invalid query table: QUERY_DATA_SOURCE_UNSPECIFIED"
        case .noFieldOrAggregation: "at least one field or aggregation is required"
        case .mixedAggregationFunctions: "all selection fields should have an aggregation function, or none of them should"
        case .invalidAggregationFunction(let type, let field, let function):
            "invalid aggregation function for \(type) type field \(field): \(function)"
        case .distinctFieldAggregated(let field, let instead):
            "tried to aggregate on a distinct field: \(field). Consider aggregating on the non-distinct fields instead: [\(instead.joined(separator: " "))]"
        case .duplicateAlias(let alias): "duplicate field alias for selection/aggregation: \(alias)"
        case .invalidGroupName(let name): "invalid group name: \(name)"
        case .invalidTimestampFormat: "invalid timestamp format"
        case .groupNameAndEmails: "Cannot use both group_name and emails parameters"
        case .unknownField(let field, let dataSource): "unknown field \(field) for \(dataSource)"
        case .aggregationNotSupported(let dataSource): "\(dataSource) does not support aggregations"
        case .invalidFilterOperator(let field, let op): "invalid filter operator for field \(field): \(op)"
        case .distinctFieldFiltered(let field): "cannot filter on a distinct field: \(field)"
        case .invalidFilterValue(let field, let value): "invalid filter value for field \(field): \(value)"
        case .usageConfigScopeMissing: "one of team_level, group_id or user_email is required"
        case .usageConfigScopeAmbiguous: "only one of team_level, group_id or user_email may be given"
        case .invalidGroupID(let id): "invalid group id: \(id)"
        case .invalidUserEmail(let email): "invalid user email: \(email)"
        case .invalidRequestBody(let detail): "invalid request body: \(detail)"
        }
    }
}
