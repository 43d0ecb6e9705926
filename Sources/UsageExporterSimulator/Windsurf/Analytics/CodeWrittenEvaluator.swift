/// Evaluates a PCW_DATA query over a team's `codeWritten` rows: the days come from the request's top-level
/// `start_timestamp`/`end_timestamp` (PCW has no `date` field), the filters are `language`, `ide` and `version`,
/// and the answer is one item for the whole range. `percent_code_written` is AI bytes ÷ all bytes, rounded to two
/// decimals and written without trailing zeros (`"0.61"`, `"0.5"`, `"1"`); zero values are left out, so a range
/// without bytes answers `{"responseItems":[{}]}`.
struct CodeWrittenEvaluator {
    let context: AnalyticsColumnContext
    let mask: [Bool]?
    /// Unix days, end exclusive.
    let days: Range<Int>

    func evaluate(_ query: AnalyticsQuery) -> [AnalyticsItem] {
        let filters: [(column: UserDataColumn, table: [Bool])] = query.filters.compactMap { filter in
            UserDataColumn(field: filter.field).map { ($0, context.table($0, filter)) }
        }
        let rows = context.analytics.codeWritten
        var autocomplete = 0
        var command = 0
        var user = 0
        rowLoop: for index in SimulatedWindsurfAnalytics.slice(rows, days: days, day: { Int($0.unixDay) }) {
            let row = rows[index]
            if let mask, !mask[Int(row.memberIndex)] { continue }
            for filter in filters where !filter.table[context.code(filter.column, row)] { continue rowLoop }
            autocomplete += Int(row.autocompleteByteCount)
            command += Int(row.commandByteCount)
            user += Int(row.userByteCount)
        }
        var item = AnalyticsItem()
        for selection in query.selections {
            switch selection.field {
            case "percent_code_written":
                if let text = Self.ratio(autocomplete + command, of: autocomplete + command + user) { item.add(selection.alias, text: text) }
            case "codeium_bytes": item.add(selection.alias, number: autocomplete + command)
            case "user_bytes": item.add(selection.alias, number: user)
            case "total_bytes": item.add(selection.alias, number: autocomplete + command + user)
            case "codeium_bytes_by_autocomplete": item.add(selection.alias, number: autocomplete)
            case "codeium_bytes_by_command": item.add(selection.alias, number: command)
            default: break
            }
        }
        return [item]
    }

    /// `part / whole` rounded to two decimals, without trailing zeros; nil when it rounds to 0.
    static func ratio(_ part: Int, of whole: Int) -> String? {
        guard whole > 0 else { return nil }
        let hundredths = (part * 100 * 2 + whole) / (whole * 2)  // rounded half up
        guard hundredths > 0 else { return nil }
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        if fraction % 10 == 0 { return "\(whole).\(fraction / 10)" }
        return "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
