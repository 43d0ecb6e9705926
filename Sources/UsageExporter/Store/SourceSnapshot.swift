/// The immutable result of one successful poll of one source: its families, rendered once.
public struct SourceSnapshot: Sendable {
    public let families: [FamilySamples]
    /// When the poll that built it finished (Unix seconds).
    public let completedAt: Double

    public init(families: [FamilySamples], completedAt: Double) {
        self.families = families
        self.completedAt = completedAt
    }
}
