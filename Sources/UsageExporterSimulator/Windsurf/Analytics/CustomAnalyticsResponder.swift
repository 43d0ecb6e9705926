import NIOCore

/// Answers `POST /api/v1/Analytics` (custom analytics) for one team: checks the body and every query, then
/// evaluates USER_DATA and PCW_DATA queries over the team's rows; CHAT_DATA and COMMAND_DATA are checked the same
/// way but have no rows (one all-zero item without a group-by, no items with one). The top-level timestamps only
/// set PCW's range: USER_DATA is narrowed by its `date` filters alone, so a query that forgets them sees all days.
struct CustomAnalyticsResponder {
    let team: SimulatedWindsurfTeam

    /// `{"queryResults":[…]}`, one element per query request in order; throws the first problem found.
    func answer(_ body: JSONValue) throws -> ByteBuffer {
        let reader = try JSONObjectReader(body, path: "")
        try reader.requireOnly(["service_key", "group_name", "start_timestamp", "end_timestamp", "query_requests"])
        let group = try reader.string("group_name").flatMap { $0.isEmpty ? nil : $0 }
        if let group, !team.groups.contains(group) { throw WindsurfQueryError.invalidGroupName(group) }
        let analytics = team.analytics
        let days = try AnalyticsDayRange.days(start: reader.string("start_timestamp"), end: reader.string("end_timestamp"), in: analytics)
        guard let requests = try reader.array("query_requests"), !requests.isEmpty else {
            throw WindsurfQueryError.invalidRequestBody("query_requests is required")
        }
        guard requests.count <= AnalyticsQuery.maximumQueries else {
            throw WindsurfQueryError.invalidRequestBody("query_requests: at most \(AnalyticsQuery.maximumQueries) queries")
        }
        let queries = try requests.enumerated().map { try AnalyticsQuery(parsing: $1, index: $0) }
        let context = AnalyticsColumnContext(analytics: analytics)
        let mask = analytics.memberMask(group: group)
        var output = JSONBytes(capacity: 4_096)
        output.append("{\"queryResults\":[")
        for (index, query) in queries.enumerated() {
            if index > 0 { output.append(",") }
            let items: [AnalyticsItem]
            switch query.dataSource {
            case .userData: items = try UserDataEvaluator(context: context, mask: mask).evaluate(query)
            case .pcwData: items = CodeWrittenEvaluator(context: context, mask: mask, days: days).evaluate(query)
            case .chatData, .commandData: items = Self.withoutRows(query)
            }
            AnalyticsItem.writeResult(items, to: &output)
        }
        output.append("]}")
        return output.buffer
    }

    /// A source without rows: one all-zero item when nothing groups, else none.
    static func withoutRows(_ query: AnalyticsQuery) -> [AnalyticsItem] {
        let grouped = !query.aggregations.isEmpty || query.selections.contains { $0.function == .unspecified && !$0.spec.isDistinct }
        return grouped ? [] : [AnalyticsItem()]
    }
}
