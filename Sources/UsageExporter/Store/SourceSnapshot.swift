/// The immutable result of one successful poll of one source: its families, rendered once.
public struct SourceSnapshot: Sendable {
    public let families: [FamilySamples]
    /// When the poll that built it finished (Unix seconds).
    public let completedAt: Double

    public init(families: [FamilySamples], completedAt: Double) {
        self.families = families
        self.completedAt = completedAt
    }

    /// Compresses the gzip piece of every family large enough to get one of its own (the plan compresses
    /// smaller ones together), once: ``FixedLines`` keeps it for every plan and scrape after.
    func compressLargeFamilies() {
        for case .fixed(let lines) in families.lazy.map(\.body) where lines.bytes.readableBytes >= PreparedExposition.coalescingLimit {
            _ = try? lines.gzipPiece()
        }
    }
}
