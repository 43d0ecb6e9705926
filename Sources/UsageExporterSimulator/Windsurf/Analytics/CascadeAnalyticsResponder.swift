import Foundation
import NIOCore
import UsageExporter

/// Answers `POST /api/v1/CascadeAnalytics` for one team, from its `cascade` rows: the selected members (a group's,
/// or those whose address is in `emails`), the days of the top-level range, the `ide_types` asked for (all when
/// omitted; `cli` rows only count in `cascade_runs`). Every value is a string and zero fields are left out.
struct CascadeAnalyticsResponder {
    let team: SimulatedWindsurfTeam

    enum Query {
        case lines, runs, tools
    }

    func answer(_ body: JSONValue) throws -> ByteBuffer {
        let reader = try JSONObjectReader(body, path: "")
        try reader.requireOnly(["service_key", "group_name", "emails", "start_timestamp", "end_timestamp", "ide_types", "query_requests"])
        let group = try reader.string("group_name").flatMap { $0.isEmpty ? nil : $0 }
        let emails = try reader.strings("emails").flatMap { $0.isEmpty ? nil : $0 }
        if group != nil, emails != nil { throw WindsurfQueryError.groupNameAndEmails }
        if let group, !team.groups.contains(group) { throw WindsurfQueryError.invalidGroupName(group) }
        let analytics = team.analytics
        let days = try AnalyticsDayRange.days(start: reader.string("start_timestamp"), end: reader.string("end_timestamp"), in: analytics)
        var ideTypes = [Bool](repeating: true, count: SimulatedAnalyticsVocabulary.cascadeIDETypes.count)
        if let requested = try reader.strings("ide_types"), !requested.isEmpty {
            ideTypes = ideTypes.map { _ in false }
            for type in requested {
                guard let code = SimulatedAnalyticsVocabulary.cascadeIDETypes.firstIndex(of: type) else {
                    throw WindsurfQueryError.invalidRequestBody("unknown ide_types value \"\(type)\"")
                }
                ideTypes[code] = true
            }
        }
        guard let requests = try reader.array("query_requests"), !requests.isEmpty else {
            throw WindsurfQueryError.invalidRequestBody("query_requests is required")
        }
        let queries: [Query] = try requests.enumerated().map { index, value in
            let request = try JSONObjectReader(value, path: "query_requests[\(index)]")
            try request.requireOnly(["cascade_lines", "cascade_runs", "cascade_tool_usage"])
            guard request.members.count == 1, let (key, inner) = request.members.first else {
                throw WindsurfQueryError.invalidRequestBody(
                    "query_requests[\(index)] must hold exactly one of cascade_lines, cascade_runs, cascade_tool_usage"
                )
            }
            try JSONObjectReader(inner, path: "query_requests[\(index)].\(key)").requireOnly([])
            return key == "cascade_lines" ? .lines : key == "cascade_runs" ? .runs : .tools
        }

        var mask = analytics.memberMask(group: group)
        if let emails {
            let wanted = Set(emails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            mask = analytics.members.map { wanted.contains($0.email) }
        }
        let rows = analytics.cascade
        let range = SimulatedWindsurfAnalytics.slice(rows, days: days) { Int($0.unixDay) }
        let selected = range.lazy.map { rows[$0] }.filter { row in
            ideTypes[Int(row.ideCode)] && (mask.map { $0[Int(row.memberIndex)] } ?? true)
        }
        let dayTexts = Dictionary(
            uniqueKeysWithValues: days.map { day in
                (day, Array(JSONStringLiteral.encode(RFC3339Timestamp.date(ofDay: day) + "T00:00:00Z").utf8))
            }
        )

        var output = JSONBytes(capacity: 4_096)
        output.append("{\"queryResults\":[")
        for (index, query) in queries.enumerated() {
            if index > 0 { output.append(",") }
            switch query {
            case .lines: writeLines(selected, days: days, dayTexts: dayTexts, to: &output)
            case .runs: writeRuns(selected, analytics: analytics, dayTexts: dayTexts, to: &output)
            case .tools: writeTools(selected, to: &output)
            }
        }
        output.append("]}")
        return output.buffer
    }

    /// `{"cascadeLines":{"cascadeLines":[…]}}`: one row per day with a non-`cli` row, lines summed.
    private func writeLines<Rows: Sequence<SimulatedCascadeRow>>(_ rows: Rows, days: Range<Int>, dayTexts: [Int: [UInt8]], to output: inout JSONBytes)
    {
        var suggested = [Int](repeating: 0, count: days.count)
        var accepted = [Int](repeating: 0, count: days.count)
        var active = [Bool](repeating: false, count: days.count)
        for row in rows where row.ideCode != Int(SimulatedAnalyticsVocabulary.cascadeCLI) {
            let slot = Int(row.unixDay) - days.lowerBound
            active[slot] = true
            suggested[slot] += Int(row.suggestedLineCount)
            accepted[slot] += Int(row.acceptedLineCount)
        }
        Self.writeWrapper("cascadeLines", to: &output, empty: !active.contains(true)) { output in
            var first = true
            for slot in active.indices where active[slot] {
                if !first { output.append(",") }
                first = false
                output.append("{\"day\":")
                output.append(raw: dayTexts[days.lowerBound + slot] ?? [])
                if suggested[slot] != 0 {
                    output.append(",\"linesSuggested\":")
                    output.append(quoted: suggested[slot])
                }
                if accepted[slot] != 0 {
                    output.append(",\"linesAccepted\":")
                    output.append(quoted: accepted[slot])
                }
                output.append("}")
            }
        }
    }

    /// `{"cascadeRuns":{"cascadeRuns":[…]}}`: every row as it is stored (split conversations stay split).
    private func writeRuns<Rows: Sequence<SimulatedCascadeRow>>(
        _ rows: Rows,
        analytics: SimulatedWindsurfAnalytics,
        dayTexts: [Int: [UInt8]],
        to output: inout JSONBytes
    ) {
        let models = SimulatedAnalyticsVocabulary.models.map { Array(JSONStringLiteral.encode($0.name).utf8) }
        let modes = SimulatedAnalyticsVocabulary.modes.map { Array(JSONStringLiteral.encode($0).utf8) }
        Self.writeWrapper("cascadeRuns", to: &output, empty: !rows.contains { _ in true }) { output in
            var first = true
            for row in rows {
                if !first { output.append(",") }
                first = false
                output.append("{\"day\":")
                output.append(raw: dayTexts[Int(row.unixDay)] ?? [])
                output.append(",\"model\":")
                output.append(raw: models[Int(row.modelCode)])
                output.append(",\"mode\":")
                output.append(raw: modes[Int(row.modeCode)])
                if row.messageCount != 0 {
                    output.append(",\"messagesSent\":")
                    output.append(quoted: Int(row.messageCount))
                }
                output.append(",\"cascadeId\":\"")
                analytics.appendCascadeId(conversation: row.conversation, to: &output)
                output.append("\"")
                if row.promptHundredths != 0 {
                    output.append(",\"promptsUsed\":")
                    output.append(quoted: Int(row.promptHundredths))
                }
                output.append("}")
            }
        }
    }

    /// `{"cascadeToolUsage":{"cascadeToolUsage":[…]}}`: calls per tool over the range, most used first.
    private func writeTools<Rows: Sequence<SimulatedCascadeRow>>(_ rows: Rows, to output: inout JSONBytes) {
        var counts = [Int](repeating: 0, count: SimulatedAnalyticsVocabulary.tools.count)
        for row in rows where row.packedTools != 0 {
            for call in SimulatedCascadeRow.unpack(row.packedTools) { counts[call.tool] += call.count }
        }
        let used = counts.indices.filter { counts[$0] > 0 }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        Self.writeWrapper("cascadeToolUsage", to: &output, empty: used.isEmpty) { output in
            for (index, tool) in used.enumerated() {
                if index > 0 { output.append(",") }
                output.append("{\"tool\":")
                output.append(string: SimulatedAnalyticsVocabulary.tools[tool])
                output.append(",\"count\":")
                output.append(quoted: counts[tool])
                output.append("}")
            }
        }
    }

    /// `{"<name>":{"<name>":[…]}}`, or `{"<name>":{}}` without rows (proto3 JSON omits an empty list).
    private static func writeWrapper(_ name: StaticString, to output: inout JSONBytes, empty: Bool, rows: (inout JSONBytes) -> Void) {
        output.append("{")
        output.append(key: name)
        if empty {
            output.append("{}}")
            return
        }
        output.append("{")
        output.append(key: name)
        output.append("[")
        rows(&output)
        output.append("]}}")
    }
}
