import UsageExporter

/// One member's consumption with one model in one IDE on one UTC day, derived from the team's Cascade rows
/// (`SimulatedWindsurfAnalytics.cascade`), so that the consumption API and CascadeAnalytics tell one story:
/// `messages` is the rows' `messagesSent`, the credits their `promptsUsed`. Amounts are kept in hundredths
/// (of a credit, of an ACU) so that tests can sum them exactly.
public struct SimulatedConsumptionRow: Sendable, Hashable {
    /// Days since 1970-01-01 (UTC).
    public let day: Int
    /// Index into `SimulatedWindsurfAnalytics.members`.
    public let member: Int
    /// Index into `SimulatedConsumptionVocabulary.models`.
    let modelCode: Int
    /// Index into `SimulatedConsumptionVocabulary.ides`.
    let ideCode: Int
    /// Prompt credits within the member's monthly allowance, in hundredths.
    public let promptHundredths: Int
    /// Credits beyond the allowance (add-on, flex credits), in hundredths.
    public let flexHundredths: Int
    /// Agent Compute Units, in hundredths.
    public let acuHundredths: Int
    public let messages: Int

    /// The `model_uid`.
    public var modelUID: String { SimulatedConsumptionVocabulary.models[modelCode].uid }
    /// The `ide`.
    public var ide: String { SimulatedConsumptionVocabulary.ides[ideCode] }
}

/// The model and IDE values of the simulated consumption rows.
public enum SimulatedConsumptionVocabulary {
    /// Per Cascade model (same order as `SimulatedAnalyticsVocabulary.models`): its `model_uid`, and what a
    /// message costs a team billed in ACUs, in hundredths of an ACU.
    public static let models: [(uid: String, acuHundredthsPerMessage: Int)] = [
        ("claude-sonnet-4-5", 9), ("gpt-5", 4), ("swe-1-5", 1), ("claude-3-7-sonnet-thinking", 7), ("gemini-2-5-pro", 5),
    ]
    /// Per Cascade IDE type (same order as `SimulatedAnalyticsVocabulary.cascadeIDETypes`): the `ide` value.
    public static let ides = ["windsurf", "jetbrains", "devin-cli"]
}

extension SimulatedWindsurfTeam {
    /// The team's consumption rows, one per day, member, model and IDE, in that order: the Cascade rows summed,
    /// each member's credits counted as prompt credits up to `monthlyPromptCredits` per calendar month (UTC)
    /// and as flex credits beyond.
    public func consumptionRows() -> [SimulatedConsumptionRow] {
        struct Key: Hashable {
            let day: Int
            let member: Int
            let model: Int
            let ide: Int
        }
        var sums: [Key: (hundredths: Int, messages: Int, extra: Int)] = [:]
        for row in analytics.cascade {
            let key = Key(day: row.day, member: row.member, model: row.modelCode, ide: row.ideCode)
            sums[key, default: (0, 0, 0)].hundredths += row.promptsUsed
            sums[key, default: (0, 0, 0)].messages += row.messagesSent
            sums[key, default: (0, 0, 0)].extra += Int(row.extraPromptHundredths)
        }
        let allowance = monthlyPromptCredits * 100
        var used: [Int: (month: Int, hundredths: Int)] = [:]
        return sums.keys.sorted { ($0.day, $0.member, $0.model, $0.ide) < ($1.day, $1.member, $1.model, $1.ide) }.map { key in
            let sum = sums[key]!
            let month = Self.month(ofDay: key.day)
            var spent = used[key.member].flatMap { $0.month == month ? $0.hundredths : nil } ?? 0
            let prompt = max(0, min(sum.hundredths, allowance - spent))
            spent += sum.hundredths
            used[key.member] = (month, spent)
            return SimulatedConsumptionRow(
                day: key.day,
                member: key.member,
                modelCode: key.model,
                ideCode: key.ide,
                promptHundredths: prompt,
                flexHundredths: sum.hundredths - prompt,
                acuHundredths: sum.messages * SimulatedConsumptionVocabulary.models[key.model].acuHundredthsPerMessage + sum.extra / 10,
                messages: sum.messages
            )
        }
    }

    /// Months since 1970-01 of a day.
    static func month(ofDay day: Int) -> Int {
        let (year, month, _) = RFC3339Timestamp.civilFromDays(day)
        return year * 12 + month
    }
}
