/// Plain row selections for tests that compute expected values themselves (no query evaluation involved).
extension SimulatedWindsurfAnalytics {
    /// The `count` complete UTC days before `lastDay`, as SPEC.md's analytics windows define them
    /// (`start_timestamp` = today 00:00 UTC − count days, `end_timestamp` = today 00:00 UTC, end exclusive).
    public func window(days count: Int) -> Range<Int> {
        (lastDay - count)..<lastDay
    }

    /// USER_DATA rows of the members `group` counts (nil: all) on `days`.
    public func autocompleteRows(inGroup group: String? = nil, days: Range<Int>) -> [SimulatedAutocompleteRow] {
        let range = Self.slice(autocomplete, days: days) { $0.day }
        return autocomplete[range].filter { members[$0.member].isCounted(inGroup: group) }
    }

    /// `cascade_runs` rows of the members `group` counts on `days` (`cascade_lines` and `cascade_tool_usage` sum
    /// the rows whose `ideType` is not `cli`).
    public func cascadeRows(inGroup group: String? = nil, days: Range<Int>) -> [SimulatedCascadeRow] {
        let range = Self.slice(cascade, days: days) { $0.day }
        return cascade[range].filter { members[$0.member].isCounted(inGroup: group) }
    }

    /// PCW_DATA rows of the members `group` counts on `days`.
    public func codeWrittenRows(inGroup group: String? = nil, days: Range<Int>) -> [SimulatedCodeWrittenRow] {
        let range = Self.slice(codeWritten, days: days) { $0.day }
        return codeWritten[range].filter { members[$0.member].isCounted(inGroup: group) }
    }
}
