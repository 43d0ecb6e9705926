/// `data_source` of a custom-analytics query, with its fields as the reference's tables list them.
enum AnalyticsDataSource: String, Sendable {
    case userData = "QUERY_DATA_SOURCE_USER_DATA"
    case chatData = "QUERY_DATA_SOURCE_CHAT_DATA"
    case commandData = "QUERY_DATA_SOURCE_COMMAND_DATA"
    case pcwData = "QUERY_DATA_SOURCE_PCW_DATA"

    /// The field named `name`, or nil when the source has none by that name. `date UTC-8`/`date UTC+5` (hours
    /// −14…+14) are USER_DATA and CHAT_DATA fields.
    func field(_ name: String) -> AnalyticsFieldSpec? {
        switch self {
        case .userData:
            switch name {
            case "api_key", "date", "hour", "language", "ide", "version": return .string
            case "num_acceptances", "num_lines_accepted", "num_bytes_accepted": return .number
            case "distinct_users": return .distinct(["api_key"])
            case "distinct_developer_days": return .distinct(["api_key", "date"])
            case "distinct_developer_hours": return .distinct(["api_key", "hour"])
            default: return Self.shiftedDateHours(name) != nil ? .string : nil
            }
        case .chatData:
            switch name {
            case "api_key", "ide", "version", "model_id", "date", "latest_intent_type": return .string
            case "num_chats_received", "chat_loc_used": return .number
            case "chat_accepted", "chat_inserted_at_cursor", "chat_applied": return .boolean
            default: return Self.shiftedDateHours(name) != nil ? .string : nil
            }
        case .commandData:
            switch name {
            case "api_key", "language", "ide", "version", "date", "timestamp", "command_source", "provider_source": return .string
            case "lines_added", "lines_removed", "bytes_added", "bytes_removed", "selection_lines", "selection_bytes": return .number
            case "accepted": return .boolean
            default: return nil
            }
        case .pcwData:
            switch name {
            case "percent_code_written", "codeium_bytes", "user_bytes", "total_bytes", "codeium_bytes_by_autocomplete",
                "codeium_bytes_by_command":
                return .pcwNumber
            case "language", "ide", "version": return .pcwFilter
            default: return nil
            }
        }
    }

    /// The hours of `date UTC-8` (−8) or `date UTC+5` (+5), or nil.
    static func shiftedDateHours(_ name: String) -> Int? {
        guard name.hasPrefix("date UTC"), name.count > 9 else { return nil }
        let rest = name.dropFirst("date UTC".count)
        guard let sign = rest.first, sign == "+" || sign == "-", let hours = Int(rest.dropFirst()), (0...14).contains(hours),
            rest.dropFirst().allSatisfy(\.isNumber)
        else { return nil }
        return sign == "-" ? -hours : hours
    }
}
