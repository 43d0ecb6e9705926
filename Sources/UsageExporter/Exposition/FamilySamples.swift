import NIOCore
import Synchronization

/// The samples one source contributes to one metric family, ready to be written by a scrape.
public struct FamilySamples: Sendable {
    /// How the sample lines are produced.
    public enum Body: Sendable {
        /// Lines rendered once, when the snapshot was built.
        case fixed(FixedLines)
        /// Lines whose value is the time elapsed since a timestamp, computed at scrape time.
        case ageSince(AgeSeries)
        /// Lines whose value counts timestamps within a window before now, computed at scrape time.
        case countWithin(WindowCountSeries)
    }

    public let family: MetricFamily
    public let body: Body

    public init(family: MetricFamily, body: Body) {
        self.family = family
        self.body = body
    }
}

/// Accumulates the fixed sample lines of one family.
public struct FixedSamplesBuilder {
    public let family: MetricFamily
    private var buffer: ByteBuffer
    public private(set) var count = 0

    public init(_ family: MetricFamily, reservingCapacity capacity: Int = 256) {
        self.family = family
        self.buffer = ByteBuffer()
        self.buffer.reserveCapacity(capacity)
    }

    /// Adds `name{labels} value`.
    public mutating func add(_ labels: LabelSet, _ value: Double) {
        buffer.writeString(family.name)
        buffer.writeString(labels.rendered)
        buffer.writeInteger(UInt8(ascii: " "))
        ExpositionText.writeValue(value, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "\n"))
        count += 1
    }

    /// The finished samples, or nil when no sample was added (a family with no samples is not exposed).
    public func build() -> FamilySamples? {
        count == 0 ? nil : FamilySamples(family: family, body: .fixed(FixedLines(buffer)))
    }
}

/// Exposition text rendered once, and its gzip piece compressed at most once, when first needed: a
/// snapshot's lines are compressed once per poll however often the merged plan is rebuilt or scraped.
public final class FixedLines: Sendable {
    public let bytes: ByteBuffer
    private let compressed = Mutex<GzipStream.Piece?>(nil)

    public init(_ bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// The lines as a deflate piece (see `GzipStream`), compressed on first use.
    public func gzipPiece() throws -> GzipStream.Piece {
        if let piece = compressed.withLock({ $0 }) { return piece }
        let piece = try GzipStream.piece(bytes, level: GzipStream.fixedLevel)
        compressed.withLock { $0 = piece }
        return piece
    }
}

/// Series whose value counts how many timestamps of a set fall within a window before now.
public struct WindowCountSeries: Sendable {
    private var series: [(prefix: String, window: Double, sortedTimestamps: [Double])] = []

    public init() {}

    /// Adds `name{labels} <count of timestamps ≥ now - window>`; `sortedTimestamps` must be ascending.
    public mutating func add(name: String, labels: LabelSet, window: Double, sortedTimestamps: [Double]) {
        series.append((name + labels.rendered + " ", window, sortedTimestamps))
    }

    public var isEmpty: Bool { series.isEmpty }

    func write(into buffer: inout ByteBuffer, now: Double) {
        for entry in series {
            buffer.writeString(entry.prefix)
            let count = entry.sortedTimestamps.count - Self.countBelow(now - entry.window, in: entry.sortedTimestamps)
            ExpositionText.writeInteger(Int64(count), into: &buffer)
            buffer.writeInteger(UInt8(ascii: "\n"))
        }
    }

    /// The number of elements of `sorted` that are below `threshold`.
    static func countBelow(_ threshold: Double, in sorted: [Double]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < threshold { low = middle + 1 } else { high = middle }
        }
        return low
    }

    var estimatedByteCount: Int { series.reduce(0) { $0 + $1.prefix.utf8.count + 8 } }
}

extension FamilySamples.Body {
    /// How many lines a scrape renders separately, in chunks: the series of an age family, 0 for anything
    /// else (rendered whole).
    var scrapeTimeLines: Int {
        if case .ageSince(let series) = self { return series.count }
        return 0
    }

    /// The parts a scrape renders separately, as ranges for ``render(_:now:)``: chunks of about `size` series
    /// of an age family, one range for anything else.
    func scrapeTimeChunks(size: Int) -> [Range<Int>] {
        switch self {
        case .ageSince(let series): series.chunks(size: size)
        case .fixed, .countWithin: [0..<1]
        }
    }

    /// The lines of `chunk` (from ``scrapeTimeChunks``) for a scrape at `now`.
    func render(_ chunk: Range<Int>, now: Double) -> ByteBuffer {
        switch self {
        case .ageSince(let series):
            return series.render(chunk, now: now)
        case .fixed, .countWithin:
            var buffer = ByteBuffer()
            buffer.reserveCapacity(estimatedByteCount)
            write(into: &buffer, now: now)
            return buffer
        }
    }

    /// The lines of `chunk` for a scrape at `now` as a piece of a gzip stream (``GzipStream``): ages by their
    /// own encoder, anything else rendered and compressed by zlib.
    func deflatePiece(_ chunk: Range<Int>, now: Double) throws -> GzipStream.Piece {
        switch self {
        case .ageSince(let series): series.deflatePiece(chunk, now: now)
        case .fixed, .countWithin: try GzipStream.piece(render(chunk, now: now), level: GzipStream.scrapeTimeLevel)
        }
    }

    func write(into buffer: inout ByteBuffer, now: Double) {
        switch self {
        case .fixed(let lines):
            var bytes = lines.bytes
            buffer.writeBuffer(&bytes)
        case .ageSince(let series):
            series.write(into: &buffer, now: now)
        case .countWithin(let series):
            series.write(into: &buffer, now: now)
        }
    }

    var estimatedByteCount: Int {
        switch self {
        case .fixed(let lines): lines.bytes.readableBytes
        case .ageSince(let series): series.estimatedByteCount
        case .countWithin(let series): series.estimatedByteCount
        }
    }
}
