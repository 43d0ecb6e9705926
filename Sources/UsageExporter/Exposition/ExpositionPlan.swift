import NIOCore
import Synchronization

/// The families of every source's latest snapshot, merged by family name and sorted, ready to be written.
///
/// A plan is built when a snapshot is published, not per scrape. Everything that does not change
/// between polls is merged into a few large fixed segments (and gzip-compressed once, on demand); a scrape
/// only renders the scrape-time families (ages, active-user counts) between them.
public struct ExpositionPlan: Sendable {
    enum Segment: Sendable {
        case fixed(ByteBuffer)
        case scrapeTime(FamilySamples.Body)
    }

    let segments: [Segment]
    /// A close guess at the size of the rendered text, to size output buffers once.
    public let estimatedByteCount: Int
    private let compressed: CompressedSegments

    public static let empty = ExpositionPlan(families: [])

    /// Merges families in the order given; families of the same name are written under one header.
    public init(families: [FamilySamples]) {
        var order: [String] = []
        var byName: [String: (family: MetricFamily, bodies: [FamilySamples.Body])] = [:]
        for samples in families {
            if byName[samples.family.name] == nil {
                order.append(samples.family.name)
                byName[samples.family.name] = (samples.family, [])
            }
            byName[samples.family.name]!.bodies.append(samples.body)
        }
        let estimate = families.reduce(0) { $0 + $1.body.estimatedByteCount + 256 }
        var segments: [Segment] = []
        var fixed = ByteBuffer()
        fixed.reserveCapacity(estimate)
        func flush() {
            if fixed.readableBytes > 0 { segments.append(.fixed(fixed)) }
            fixed = ByteBuffer()
        }
        for name in order.sorted() {
            let (family, bodies) = byName[name]!
            ExpositionText.writeHeader(of: family, into: &fixed)
            for body in bodies {
                switch body {
                case .fixed(var lines):
                    fixed.writeBuffer(&lines)
                case .ageSince, .countWithin:
                    flush()
                    segments.append(.scrapeTime(body))
                }
            }
        }
        flush()
        self.segments = segments
        self.estimatedByteCount = estimate
        self.compressed = CompressedSegments()
    }

    /// Writes every family, computing scrape-time values against `now` (Unix seconds).
    public func write(into buffer: inout ByteBuffer, now: Double) {
        for segment in segments {
            switch segment {
            case .fixed(var bytes):
                buffer.writeBuffer(&bytes)
            case .scrapeTime(let body):
                body.write(into: &buffer, now: now)
            }
        }
    }

    /// The body as a list of buffers: fixed segments shared, not copied; scrape-time ones rendered now.
    public func buffers(now: Double) -> [ByteBuffer] {
        segments.map { segment in
            switch segment {
            case .fixed(let bytes):
                return bytes
            case .scrapeTime(let body):
                var buffer = ByteBuffer()
                buffer.reserveCapacity(body.estimatedByteCount)
                body.write(into: &buffer, now: now)
                return buffer
            }
        }
    }

    /// The body as deflate pieces for one gzip stream (see `GzipStream`): fixed segments compressed once
    /// per plan and reused, scrape-time ones compressed now.
    public func gzipPieces(now: Double) throws -> [GzipStream.Piece] {
        let cached = try compressedFixedSegments()
        return try segments.indices.map { index in
            switch segments[index] {
            case .fixed:
                return cached[index]!
            case .scrapeTime(let body):
                var buffer = ByteBuffer()
                buffer.reserveCapacity(body.estimatedByteCount)
                body.write(into: &buffer, now: now)
                return try GzipStream.piece(buffer, level: GzipStream.scrapeTimeLevel)
            }
        }
    }

    /// Compresses the fixed segments now (the publishing collector calls this after a poll, so no scrape waits for it).
    public func prepareCompressed() {
        _ = try? compressedFixedSegments()
    }

    private func compressedFixedSegments() throws -> [Int: GzipStream.Piece] {
        if let cached = compressed.pieces.withLock({ $0 }) { return cached }
        var pieces: [Int: GzipStream.Piece] = [:]
        for (index, segment) in segments.enumerated() {
            if case .fixed(let bytes) = segment {
                pieces[index] = try GzipStream.piece(bytes, level: GzipStream.fixedLevel)
            }
        }
        compressed.pieces.withLock { $0 = pieces }
        return pieces
    }

    /// The compressed fixed segments, shared by every copy of the plan.
    final class CompressedSegments: Sendable {
        let pieces = Mutex<[Int: GzipStream.Piece]?>(nil)
    }
}

