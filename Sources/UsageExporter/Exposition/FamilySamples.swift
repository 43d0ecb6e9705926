import NIOCore
import NIOPosix
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

/// Series whose value is `now - timestamp`, in seconds rounded to milliseconds: the series text is
/// rendered once, the number at each scrape.
public struct AgeSeries: Sendable {
    /// `name{labels} ` of every series, back to back.
    private var prefixes = ByteBuffer()
    /// Where each series' prefix ends in `prefixes`, and its timestamp.
    private var entries: [(end: Int, timestamp: Double)] = []

    public init() {}

    public var count: Int { entries.count }

    public mutating func add(name: String, labels: LabelSet, timestamp: Double) {
        prefixes.writeString(name)
        prefixes.writeString(labels.rendered)
        prefixes.writeInteger(UInt8(ascii: " "))
        entries.append((prefixes.writerIndex, timestamp))
    }

    func write(into buffer: inout ByteBuffer, now: Double) {
        write(entries.indices, into: &buffer, now: now)
    }

    /// Writes the series in `range` (indices of `entries`).
    func write(_ range: Range<Int>, into buffer: inout ByteBuffer, now: Double) {
        guard !range.isEmpty else { return }
        var start = range.lowerBound == 0 ? 0 : entries[range.lowerBound - 1].end
        prefixes.withUnsafeReadableBytes { bytes in
            for entry in entries[range] {
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[start..<entry.end]))
                ExpositionText.writeMilliseconds(now - entry.timestamp, into: &buffer)
                buffer.writeInteger(UInt8(ascii: "\n"))
                start = entry.end
            }
        }
    }

    /// The series as deflate pieces, rendered and compressed in chunks on NIO's blocking thread pool (one
    /// thread per core): this is the part of a gzip scrape that cannot be prepared per poll.
    func gzipPieces(now: Double) async throws -> [GzipStream.Piece] {
        let chunkCount = min(16, max(1, entries.count / 2048))
        let chunkSize = (entries.count + chunkCount - 1) / max(chunkCount, 1)
        return try await withThrowingTaskGroup(of: (Int, GzipStream.Piece).self) { group in
            for index in 0..<chunkCount {
                group.addTask {
                    let piece = try await NIOThreadPool.singleton.runIfActive {
                        let range = min(entries.count, index * chunkSize)..<min(entries.count, (index + 1) * chunkSize)
                        var buffer = ByteBuffer()
                        buffer.reserveCapacity(range.count * (prefixes.readableBytes / max(entries.count, 1) + 16))
                        write(range, into: &buffer, now: now)
                        return try GzipStream.piece(buffer, level: GzipStream.scrapeTimeLevel)
                    }
                    return (index, piece)
                }
            }
            var pieces = [GzipStream.Piece?](repeating: nil, count: chunkCount)
            for try await (index, piece) in group { pieces[index] = piece }
            return pieces.compactMap { $0 }
        }
    }

    var estimatedByteCount: Int { prefixes.readableBytes + entries.count * 16 }
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
