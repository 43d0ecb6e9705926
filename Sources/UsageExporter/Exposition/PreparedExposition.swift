import NIOCore
import NIOPosix
import Synchronization

/// What every scrape of one plan in one format shares, done once: the plan's segments in output order,
/// with each run of fixed segments (headers written for the format, the snapshots' fixed lines) turned into
/// a few large buffers for plain scrapes and, on first gzip use, into a span of compressed pieces with
/// their CRC-32 combined.
///
/// A gzip body is one gzip member: the spans of fixed lines and the pieces a scrape compresses (ages,
/// active-user counts, self-metrics) spliced in order (``GzipStream``). A snapshot's large families are
/// compressed once per snapshot (``FixedLines/gzipPiece()``) and reused by every plan that lists them; the
/// small ones and the headers between them are compressed together once per plan.
///
/// One member, not several back to back: RFC 1952 allows a series of members, and Go's `compress/gzip`
/// (Prometheus) and Python's `gzip` read them all, but curl's `--compressed` fails after the first and
/// browsers stop at it, so a body in several members would look truncated there.
final class PreparedExposition: Sendable {
    /// One element of a prepared plain body.
    enum Part: Sendable {
        /// Exposition text sent as it is.
        case fixed(ByteBuffer)
        /// Rendered at each scrape.
        case scrapeTime(FamilySamples.Body)
    }

    /// One element of a prepared gzip body.
    enum GzipPart: Sendable {
        /// Compressed once, sent as it is.
        case fixed(GzipStream.Span)
        /// Rendered and compressed at each scrape.
        case scrapeTime(FamilySamples.Body)
    }

    /// The format's segments, fixed ones grouped in runs.
    private enum Element: Sendable {
        case run([FixedItem])
        case scrapeTime(FamilySamples.Body)
    }

    private enum FixedItem: Sendable {
        /// A family header, rendered for the format.
        case header(ByteBuffer)
        case lines(FixedLines)

        var bytes: ByteBuffer {
            switch self {
            case .header(let bytes): bytes
            case .lines(let lines): lines.bytes
            }
        }
    }

    /// Buffers smaller than this are copied together into one, so that a scrape writes a few hundred
    /// buffers instead of one per family and source; larger ones are sent without a copy, and their gzip
    /// piece is compressed once per snapshot.
    static let coalescingLimit = 64 * 1024

    private let elements: [Element]
    let plain: [Part]
    private let gzip = Mutex<[GzipPart]?>(nil)

    init(segments: [ExpositionPlan.Segment], format: ExpositionFormat) {
        var elements: [Element] = []
        var run: [FixedItem] = []
        for segment in segments {
            switch segment {
            case .header(let family):
                var header = ByteBuffer()
                ExpositionText.writeHeader(of: family, format: format, into: &header)
                run.append(.header(header))
            case .body(.fixed(let lines)):
                run.append(.lines(lines))
            case .body(let body):
                if !run.isEmpty { elements.append(.run(run)) }
                run = []
                elements.append(.scrapeTime(body))
            }
        }
        if !run.isEmpty { elements.append(.run(run)) }
        self.elements = elements
        self.plain = elements.flatMap { element -> [Part] in
            switch element {
            case .run(let items): Self.coalesced(items.map(\.bytes)).map(Part.fixed)
            case .scrapeTime(let body): [.scrapeTime(body)]
            }
        }
    }

    /// The gzip body's parts, compressed on first use and kept for the plan's life (a failure is not kept:
    /// the next gzip scrape tries again).
    func gzipParts() throws -> [GzipPart] {
        try gzip.withLock { cached in
            if let cached { return cached }
            let made = try makeGzipParts()
            cached = made
            return made
        }
    }

    private func makeGzipParts() throws -> [GzipPart] {
        try elements.map { element -> GzipPart in
            switch element {
            case .scrapeTime(let body):
                return .scrapeTime(body)
            case .run(let items):
                var pieces: [GzipStream.Piece] = []
                var small = ByteBuffer()
                for item in items {
                    if case .lines(let lines) = item, lines.bytes.readableBytes >= Self.coalescingLimit {
                        if small.readableBytes > 0 { pieces.append(try GzipStream.piece(small, level: GzipStream.fixedLevel)) }
                        small.clear()
                        pieces.append(try lines.gzipPiece())
                    } else {
                        var bytes = item.bytes
                        small.writeBuffer(&bytes)
                    }
                }
                if small.readableBytes > 0 { pieces.append(try GzipStream.piece(small, level: GzipStream.fixedLevel)) }
                let span = GzipStream.Span(pieces)
                return .fixed(GzipStream.Span(buffers: Self.coalesced(span.buffers), crc: span.crc, inputLength: span.inputLength))
            }
        }
    }

    /// `buffers` with each stretch of small ones copied into one buffer.
    static func coalesced(_ buffers: [ByteBuffer]) -> [ByteBuffer] {
        var result: [ByteBuffer] = []
        var small: ByteBuffer?
        for var buffer in buffers where buffer.readableBytes > 0 {
            if buffer.readableBytes < coalescingLimit {
                if small == nil { small = ByteBuffer() }
                small!.writeBuffer(&buffer)
            } else {
                if let pending = small { result.append(pending) }
                small = nil
                result.append(buffer)
            }
        }
        if let pending = small { result.append(pending) }
        return result
    }

    /// The plain body for a scrape at `now`: fixed parts as they are, scrape-time ones rendered in chunks
    /// on NIO's blocking thread pool, all chunks at once.
    func plainBuffers(now: Double) async throws -> [ByteBuffer] {
        let bodies = plain.compactMap { part -> FamilySamples.Body? in
            if case .scrapeTime(let body) = part { return body }
            return nil
        }
        var rendered = try await Self.inChunks(bodies) { body, chunk in body.render(chunk, now: now) }.makeIterator()
        return plain.flatMap { part -> [ByteBuffer] in
            switch part {
            case .fixed(let bytes): return [bytes]
            case .scrapeTime: return rendered.next()!.filter { $0.readableBytes > 0 }
            }
        }
    }

    /// The gzip body for a scrape at `now` as spans of one gzip member: fixed spans as they are, scrape-time
    /// bodies rendered and compressed in chunks on NIO's blocking thread pool, all chunks at once. The
    /// caller adds its own spans (the self-metrics) and assembles the member.
    func gzipSpans(now: Double) async throws -> [GzipStream.Span] {
        let parts = try gzipParts()
        let bodies = parts.compactMap { part -> FamilySamples.Body? in
            if case .scrapeTime(let body) = part { return body }
            return nil
        }
        var compressed = try await Self.inChunks(bodies) { body, chunk in try body.deflatePiece(chunk, now: now) }.makeIterator()
        return parts.map { part in
            switch part {
            case .fixed(let span): return span
            case .scrapeTime: return GzipStream.Span(compressed.next()!)
            }
        }
    }

    /// `work` applied to every chunk of every body (``FamilySamples/Body/scrapeTimeChunks(size:)``) in
    /// parallel on NIO's blocking thread pool; the results per body, in order. The age families are split
    /// into chunks of equal size, two per core (each chunk is a hop to the pool and back): 2,048 to 16,384
    /// series, whose output fits the reused scratch memory. Small bodies (active-user counts) share one job.
    static func inChunks<Result: Sendable>(
        _ bodies: [FamilySamples.Body],
        _ work: @escaping @Sendable (FamilySamples.Body, Range<Int>) throws -> Result
    ) async throws -> [[Result]] {
        let lines = bodies.reduce(0) { $0 + $1.scrapeTimeLines }
        let size = min(16_384, max(2048, lines / max(1, 2 * System.coreCount)))
        var jobs: [[(body: Int, chunk: Range<Int>)]] = []
        var small: [(body: Int, chunk: Range<Int>)] = []
        for (index, body) in bodies.enumerated() {
            let chunks = body.scrapeTimeChunks(size: size)
            if chunks.count == 1, body.estimatedByteCount < coalescingLimit {
                small.append((index, chunks[0]))
            } else {
                jobs += chunks.map { [(index, $0)] }
            }
        }
        if !small.isEmpty { jobs.append(small) }
        var perBody = [[(chunk: Range<Int>, result: Result)]](repeating: [], count: bodies.count)
        try await withThrowingTaskGroup(of: [(body: Int, chunk: Range<Int>, result: Result)].self) { group in
            for job in jobs {
                group.addTask {
                    try await NIOThreadPool.singleton.runIfActive {
                        try job.map { ($0.body, $0.chunk, try work(bodies[$0.body], $0.chunk)) }
                    }
                }
            }
            for try await results in group {
                for result in results { perBody[result.body].append((result.chunk, result.result)) }
            }
        }
        return perBody.map { results in results.sorted { $0.chunk.lowerBound < $1.chunk.lowerBound }.map(\.result) }
    }

    /// A plan's prepared bodies, one per format, each made once on first use.
    final class Cache: Sendable {
        private let prepared = Mutex<[ExpositionFormat: PreparedExposition]>([:])

        func get(_ format: ExpositionFormat, make: (ExpositionFormat) -> PreparedExposition) -> PreparedExposition {
            prepared.withLock { prepared in
                if let existing = prepared[format] { return existing }
                let made = make(format)
                prepared[format] = made
                return made
            }
        }
    }
}
