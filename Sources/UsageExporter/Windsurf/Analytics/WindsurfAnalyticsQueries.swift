/// The queries one analytics poll sends for one window, and the aliases their answers are read by.
///
/// `CascadeAnalytics` gets the three Cascade query requests. The custom `Analytics` API gets four, each
/// selection and group-by with an explicit alias: autocomplete sums by language and IDE; distinct users
/// (no function, alone, since mixing selections with and without functions is refused); the same sums by
/// `api_key`; and Percent Code Written (no functions; its range is the top-level timestamps).
public enum WindsurfAnalyticsQueries {
    public static let cascadeRequests: [[String: [String: String]]] = [["cascade_lines": [:]], ["cascade_runs": [:]], ["cascade_tool_usage": [:]]]

    /// Aliases of the answers' items.
    public enum Alias {
        public static let acceptances = "acceptances"
        public static let linesAccepted = "lines_accepted"
        public static let bytesAccepted = "bytes_accepted"
        public static let language = "language"
        public static let ide = "ide"
        public static let users = "users"
        public static let apiKey = "api_key"
        public static let ratio = "ratio"
        public static let autocompleteBytes = "autocomplete_bytes"
        public static let commandBytes = "command_bytes"
        public static let userBytes = "user_bytes"
        public static let totalBytes = "total_bytes"
    }

    /// The positions of the custom API's query requests, and of their results.
    public enum Index {
        public static let byLanguageAndIDE = 0
        public static let distinctUsers = 1
        public static let byAPIKey = 2
        public static let codeWritten = 3
    }

    struct Selection: Encodable, Equatable {
        let field: String
        let name: String
        let aggregation_function: String?
    }

    struct Filter: Encodable, Equatable {
        let name: String
        let filter: String
        let value: String
    }

    struct Aggregation: Encodable, Equatable {
        let field: String
        let name: String
    }

    struct Query: Encodable, Equatable {
        let data_source: String
        let selections: [Selection]
        let filters: [Filter]?
        let aggregations: [Aggregation]?
    }

    static let userData = "QUERY_DATA_SOURCE_USER_DATA"
    static let codeWrittenData = "QUERY_DATA_SOURCE_PCW_DATA"
    static let sum = "QUERY_AGGREGATION_SUM"

    static let autocompleteSums = [
        Selection(field: "num_acceptances", name: Alias.acceptances, aggregation_function: sum),
        Selection(field: "num_lines_accepted", name: Alias.linesAccepted, aggregation_function: sum),
        Selection(field: "num_bytes_accepted", name: Alias.bytesAccepted, aggregation_function: sum),
    ]

    /// The custom API's four query requests for `window`; its `date` filters cover the window's days.
    static func customRequests(window: WindsurfAnalyticsWindow) -> [Query] {
        let days = [
            Filter(name: "date", filter: "QUERY_FILTER_GE", value: window.firstDate),
            Filter(name: "date", filter: "QUERY_FILTER_LE", value: window.lastDate),
        ]
        return [
            Query(
                data_source: userData,
                selections: autocompleteSums,
                filters: days,
                aggregations: [Aggregation(field: "language", name: Alias.language), Aggregation(field: "ide", name: Alias.ide)]
            ),
            Query(
                data_source: userData,
                selections: [Selection(field: "distinct_users", name: Alias.users, aggregation_function: nil)],
                filters: days,
                aggregations: nil
            ),
            Query(
                data_source: userData,
                selections: autocompleteSums,
                filters: days,
                aggregations: [Aggregation(field: "api_key", name: Alias.apiKey)]
            ),
            Query(
                data_source: codeWrittenData,
                selections: [
                    Selection(field: "percent_code_written", name: Alias.ratio, aggregation_function: nil),
                    Selection(field: "codeium_bytes_by_autocomplete", name: Alias.autocompleteBytes, aggregation_function: nil),
                    Selection(field: "codeium_bytes_by_command", name: Alias.commandBytes, aggregation_function: nil),
                    Selection(field: "user_bytes", name: Alias.userBytes, aggregation_function: nil),
                    Selection(field: "total_bytes", name: Alias.totalBytes, aggregation_function: nil),
                ],
                filters: nil,
                aggregations: nil
            ),
        ]
    }
}
