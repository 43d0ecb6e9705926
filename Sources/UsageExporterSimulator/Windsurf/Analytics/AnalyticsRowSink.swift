/// Collects generated rows sorted by day without spare capacity: a first pass only counts the rows of each day,
/// `startWriting` turns the counts into offsets and allocates exactly, and a second, identical pass (the
/// generators are seeded per member) writes every row into its day's place, members in order within a day.
struct AnalyticsRowSink {
    let firstDay: Int
    /// A day whose rows are dropped (a day the upstream lost), or nil.
    let droppedDay: Int?
    private(set) var writing = false
    private var autocompleteSlots: [Int]
    private var cascadeSlots: [Int]
    private var codeWrittenSlots: [Int]
    private(set) var autocomplete: [SimulatedAutocompleteRow] = []
    private(set) var cascade: [SimulatedCascadeRow] = []
    private(set) var codeWritten: [SimulatedCodeWrittenRow] = []

    init(firstDay: Int, dayCount: Int, droppedDay: Int? = nil) {
        self.firstDay = firstDay
        self.droppedDay = droppedDay
        autocompleteSlots = [Int](repeating: 0, count: dayCount)
        cascadeSlots = autocompleteSlots
        codeWrittenSlots = autocompleteSlots
    }

    mutating func add(_ row: SimulatedAutocompleteRow) {
        guard row.day != droppedDay else { return }
        let slot = row.day - firstDay
        if writing { autocomplete[autocompleteSlots[slot]] = row }
        autocompleteSlots[slot] += 1
    }

    mutating func add(_ row: SimulatedCascadeRow) {
        guard row.day != droppedDay else { return }
        let slot = row.day - firstDay
        if writing { cascade[cascadeSlots[slot]] = row }
        cascadeSlots[slot] += 1
    }

    mutating func add(_ row: SimulatedCodeWrittenRow) {
        guard row.day != droppedDay else { return }
        let slot = row.day - firstDay
        if writing { codeWritten[codeWrittenSlots[slot]] = row }
        codeWrittenSlots[slot] += 1
    }

    /// Ends the counting pass.
    mutating func startWriting() {
        autocomplete = Array(repeating: .zero, count: Self.offsets(&autocompleteSlots))
        cascade = Array(repeating: .zero, count: Self.offsets(&cascadeSlots))
        codeWritten = Array(repeating: .zero, count: Self.offsets(&codeWrittenSlots))
        writing = true
    }

    /// Turns per-day counts into each day's first index; returns the total.
    private static func offsets(_ counts: inout [Int]) -> Int {
        var total = 0
        for index in counts.indices {
            let count = counts[index]
            counts[index] = total
            total += count
        }
        return total
    }
}
