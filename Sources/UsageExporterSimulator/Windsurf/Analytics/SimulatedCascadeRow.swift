/// One `cascade_runs` row: part of one Cascade conversation on one UTC day, with one model and mode. A
/// conversation may be split across two or three rows on the same day (sometimes with the same model and mode,
/// so that only summing gives its totals), and may continue on a later day under the same `cascadeId`.
/// The row also carries the conversation's lines (summed per day into `cascade_lines`) and tool calls (summed
/// over the range into `cascade_tool_usage`). Stored in 16 bytes; the public properties decode it.
public struct SimulatedCascadeRow: Sendable, Hashable {
    let memberIndex: UInt32
    let conversationNumber: UInt16
    let suggestedLineCount: UInt16
    /// Two (tool, count) slots of 8 bits: tool code + 1 (5 bits), count 1–7 (3 bits); 0 is an empty slot.
    let packedTools: UInt16
    let unixDay: UInt16
    let messageCount: UInt8
    let acceptedPercent: UInt8
    /// Hundredths of a credit added to the model's price per message (longer contexts, tool calls).
    let extraPromptHundredths: UInt8
    /// model (3 bits) | mode (2) << 3 | IDE type (2) << 5.
    let kind: UInt8

    init(
        member: Int,
        day: Int,
        conversation: Int,
        model: UInt8,
        mode: UInt8,
        ideType: UInt8,
        messages: Int,
        extraPromptHundredths: Int,
        linesSuggested: Int,
        acceptedPercent: Int,
        tools: [(tool: Int, count: Int)]
    ) {
        memberIndex = UInt32(member)
        conversationNumber = UInt16(conversation)
        suggestedLineCount = UInt16(min(linesSuggested, Int(UInt16.max)))
        packedTools = Self.pack(tools)
        unixDay = UInt16(day)
        messageCount = UInt8(min(messages, 255))
        self.acceptedPercent = UInt8(min(max(acceptedPercent, 0), 100))
        self.extraPromptHundredths = UInt8(min(max(extraPromptHundredths, 0), 255))
        kind = model | mode << 3 | ideType << 5
    }

    /// A placeholder for preallocated storage.
    static let zero = SimulatedCascadeRow(
        member: 0,
        day: 0,
        conversation: 0,
        model: 0,
        mode: 0,
        ideType: 0,
        messages: 0,
        extraPromptHundredths: 0,
        linesSuggested: 0,
        acceptedPercent: 0,
        tools: []
    )

    var modelCode: Int { Int(kind & 0x7) }
    var modeCode: Int { Int(kind >> 3 & 0x3) }
    var ideCode: Int { Int(kind >> 5 & 0x3) }
    var acceptedLineCount: Int { Int(suggestedLineCount) * Int(acceptedPercent) / 100 }
    var promptHundredths: Int {
        let price = SimulatedAnalyticsVocabulary.models[modelCode].hundredthsPerMessage
        return price == 0 ? 0 : Int(messageCount) * price + Int(extraPromptHundredths)
    }

    /// Index into `SimulatedWindsurfAnalytics.members`.
    public var member: Int { Int(memberIndex) }
    /// Days since 1970-01-01 (UTC).
    public var day: Int { Int(unixDay) }
    /// Identifies the conversation within the team (its `cascadeId` is `SimulatedWindsurfAnalytics.cascadeId(of:)`).
    public var conversation: Int { Int(memberIndex) << 16 | Int(conversationNumber) }
    public var model: String { SimulatedAnalyticsVocabulary.models[modelCode].name }
    public var mode: String { SimulatedAnalyticsVocabulary.modes[modeCode] }
    /// The `ide_types` value the row answers to: `editor`, `jetbrains` or `cli`.
    public var ideType: String { SimulatedAnalyticsVocabulary.cascadeIDETypes[ideCode] }
    /// `messagesSent`.
    public var messagesSent: Int { Int(messageCount) }
    /// `promptsUsed`, in hundredths of a credit (0 for the free SWE-1.5).
    public var promptsUsed: Int { promptHundredths }
    /// Counted in `cascade_lines` `linesSuggested` (0 for `cli` rows).
    public var linesSuggested: Int { Int(suggestedLineCount) }
    /// Counted in `cascade_lines` `linesAccepted` (0 for `cli` rows).
    public var linesAccepted: Int { acceptedLineCount }

    /// Tool calls, counted in `cascade_tool_usage` (none for `cli` and `NO_TOOL` rows).
    public var toolCalls: [(tool: String, count: Int)] {
        Self.unpack(packedTools).map { (SimulatedAnalyticsVocabulary.tools[$0.tool], $0.count) }
    }

    static func pack(_ calls: [(tool: Int, count: Int)]) -> UInt16 {
        var packed: UInt16 = 0
        for (slot, call) in calls.prefix(2).enumerated() {
            packed |= (UInt16(call.tool + 1) << 3 | UInt16(min(7, max(1, call.count)))) << (8 * slot)
        }
        return packed
    }

    static func unpack(_ packed: UInt16) -> [(tool: Int, count: Int)] {
        var calls: [(tool: Int, count: Int)] = []
        for slot in 0..<2 {
            let value = packed >> (8 * slot) & 0xFF
            if value != 0 { calls.append((Int(value >> 3) - 1, Int(value & 0x7))) }
        }
        return calls
    }
}
