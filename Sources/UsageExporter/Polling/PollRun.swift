/// One run of a source's poll loop. Starting a source, or restarting it after a reload changed it, begins a
/// new run with a new generation; the store accepts data only from the current run of each source, so a
/// stopped or superseded poll that finishes late can never publish.
public struct PollRun: Sendable, Hashable, CustomStringConvertible {
    public let source: SourceID
    public let generation: Int

    public init(source: SourceID, generation: Int) {
        self.source = source
        self.generation = generation
    }

    public var description: String { "\(source)#\(generation)" }
}
