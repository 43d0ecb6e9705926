import NIOCore

/// The analytics rows a simulated team answers `CascadeAnalytics` and `Analytics` from, generated once when the
/// team is made. Rows of each kind are sorted by day and carry the index of the member they belong to, so a test
/// can compute any expected answer by summing rows itself.
public struct SimulatedWindsurfAnalytics: Sendable {
    /// The first day with rows (Unix days, UTC): 90 days before `lastDay` (31 for teams over 20,000 members).
    public let firstDay: Int
    /// Today (the UTC day of `now` at generation); today's rows run up to `now`.
    public let lastDay: Int
    /// The user page's users in order, then the departed users.
    public let members: [SimulatedAnalyticsMember]
    /// `QUERY_DATA_SOURCE_USER_DATA`, per member per hour (and language, IDE).
    public let autocomplete: [SimulatedAutocompleteRow]
    /// `cascade_runs` (and, summed, `cascade_lines` and `cascade_tool_usage`).
    public let cascade: [SimulatedCascadeRow]
    /// `QUERY_DATA_SOURCE_PCW_DATA`, per member per day.
    public let codeWritten: [SimulatedCodeWrittenRow]
    /// Makes `cascadeId`s differ between teams.
    let salt: UInt64

    init(
        firstDay: Int,
        lastDay: Int,
        members: [SimulatedAnalyticsMember],
        autocomplete: [SimulatedAutocompleteRow],
        cascade: [SimulatedCascadeRow],
        codeWritten: [SimulatedCodeWrittenRow],
        salt: UInt64
    ) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.members = members
        self.autocomplete = autocomplete
        self.cascade = cascade
        self.codeWritten = codeWritten
        self.salt = salt
    }

    /// No rows at all: what a hand-made team answers until it is given generated analytics.
    public static let empty = SimulatedWindsurfAnalytics(
        firstDay: 0,
        lastDay: 0,
        members: [],
        autocomplete: [],
        cascade: [],
        codeWritten: [],
        salt: 0
    )

    /// The members that are departed users (their keys are on no user page).
    public var departedMembers: [SimulatedAnalyticsMember] { members.filter(\.departed) }

    /// The `cascadeId` of a row's conversation: a version-4-shaped UUID.
    public func cascadeId(of row: SimulatedCascadeRow) -> String {
        var bytes = JSONBytes(capacity: 36)
        appendCascadeId(conversation: row.conversation, to: &bytes)
        return String(buffer: bytes.buffer)
    }

    func appendCascadeId(conversation: Int, to output: inout JSONBytes) {
        var generator = SeededGenerator(seed: salt ^ UInt64(conversation) &* 0xD6E8_FEB8_6659_FD93)
        let high = generator.next()
        let low = generator.next()
        // 8-4-4-4-12 lower-case hex, version nibble 4, variant bits 10.
        for index in 0..<32 {
            var nibble = index < 16 ? UInt8((high >> (60 - 4 * index)) & 0xF) : UInt8((low >> (60 - 4 * (index - 16))) & 0xF)
            if index == 12 { nibble = 4 }
            if index == 16 { nibble = 8 | (nibble & 3) }
            if index == 8 || index == 12 || index == 16 || index == 20 { output.append(byte: 0x2D) }
            output.append(byte: nibble < 10 ? 0x30 + nibble : 0x57 + nibble)
        }
    }

    /// The rows of `rows` (sorted by day) whose day is in `days`.
    static func slice<Row>(_ rows: [Row], days: Range<Int>, day: (Row) -> Int) -> Range<Int> {
        func lowerBound(_ target: Int) -> Int {
            var low = 0
            var high = rows.count
            while low < high {
                let middle = (low + high) / 2
                if day(rows[middle]) < target { low = middle + 1 } else { high = middle }
            }
            return low
        }
        guard !days.isEmpty else { return 0..<0 }
        return lowerBound(days.lowerBound)..<lowerBound(days.upperBound)
    }

    /// `mask[i]` is whether member `i` counts for `group` (nil: the whole team).
    func memberMask(group: String?) -> [Bool]? {
        guard let group else { return nil }
        return members.map { $0.groups.contains(group) }
    }
}
