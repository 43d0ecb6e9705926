/// One `cascade_runs` row: part of one Cascade conversation on one UTC day, with one model and mode. A
/// conversation may be split across two or three rows on the same day (sometimes with the same model and mode,
/// so that only summing gives its totals), and may continue on a later day under the same `cascadeId`.
/// The row also carries the conversation's lines (summed per day into `cascade_lines`) and tool calls (summed
/// over the range into `cascade_tool_usage`). Stored in 24 bytes; the public properties decode it.
public struct SimulatedCascadeRow: Sendable, Hashable {
    let memberIndex: UInt32
    let packedTools: UInt32
    let unixDay: UInt16
    let conversationNumber: UInt16
    let messageCount: UInt16
    let promptHundredths: UInt16
    let suggestedLineCount: UInt16
    let acceptedLineCount: UInt16
    let modelCode: UInt8
    let modeCode: UInt8
    let ideCode: UInt8

    /// Index into `SimulatedWindsurfAnalytics.members`.
    public var member: Int { Int(memberIndex) }
    /// Days since 1970-01-01 (UTC).
    public var day: Int { Int(unixDay) }
    /// Identifies the conversation within the team (its `cascadeId` is `SimulatedWindsurfAnalytics.cascadeId(of:)`).
    public var conversation: Int { Int(memberIndex) << 16 | Int(conversationNumber) }
    public var model: String { SimulatedAnalyticsVocabulary.models[Int(modelCode)].name }
    public var mode: String { SimulatedAnalyticsVocabulary.modes[Int(modeCode)] }
    /// The `ide_types` value the row answers to: `editor`, `jetbrains` or `cli`.
    public var ideType: String { SimulatedAnalyticsVocabulary.cascadeIDETypes[Int(ideCode)] }
    /// `messagesSent`.
    public var messagesSent: Int { Int(messageCount) }
    /// `promptsUsed`, in hundredths of a credit.
    public var promptsUsed: Int { Int(promptHundredths) }
    /// Counted in `cascade_lines` `linesSuggested` (0 for `cli` rows).
    public var linesSuggested: Int { Int(suggestedLineCount) }
    /// Counted in `cascade_lines` `linesAccepted` (0 for `cli` rows).
    public var linesAccepted: Int { Int(acceptedLineCount) }

    /// Tool calls, counted in `cascade_tool_usage` (none for `cli` and `NO_TOOL` rows).
    public var toolCalls: [(tool: String, count: Int)] {
        Self.unpack(packedTools).map { (SimulatedAnalyticsVocabulary.tools[$0.tool], $0.count) }
    }

    /// Up to three (tool code, count) pairs, 10 bits each: 5 bits tool code + 1, 5 bits count.
    static func pack(_ calls: [(tool: Int, count: Int)]) -> UInt32 {
        var packed: UInt32 = 0
        for (slot, call) in calls.prefix(3).enumerated() {
            let value = UInt32(call.tool + 1) << 5 | UInt32(min(31, max(1, call.count)))
            packed |= value << (10 * slot)
        }
        return packed
    }

    static func unpack(_ packed: UInt32) -> [(tool: Int, count: Int)] {
        var calls: [(tool: Int, count: Int)] = []
        for slot in 0..<3 {
            let value = (packed >> (10 * slot)) & 0x3FF
            if value == 0 { continue }
            calls.append((Int(value >> 5) - 1, Int(value & 0x1F)))
        }
        return calls
    }
}
