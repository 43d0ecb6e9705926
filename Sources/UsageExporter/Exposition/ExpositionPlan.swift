import NIOCore

/// The families of every source's latest snapshot, merged by family name and sorted, ready to be written.
///
/// A plan is built when a snapshot is published, not per scrape, and copies no sample text: it lists the
/// snapshots' fixed lines (each gzip-compressed once, when first needed) between the family headers, and
/// the scrape-time families (ages, active-user counts) that a scrape renders.
public struct ExpositionPlan: Sendable {
    /// Headers and bodies in output order; headers are fixed lines of their own.
    let segments: [FamilySamples.Body]

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
        segments = order.sorted().flatMap { name -> [FamilySamples.Body] in
            let (family, bodies) = byName[name]!
            var header = ByteBuffer()
            ExpositionText.writeHeader(of: family, into: &header)
            return [.fixed(FixedLines(header))] + bodies
        }
    }

    /// Writes every family, computing scrape-time values against `now` (Unix seconds).
    public func write(into buffer: inout ByteBuffer, now: Double) {
        for segment in segments { segment.write(into: &buffer, now: now) }
    }

    /// The body as a list of buffers: fixed lines shared, not copied; scrape-time ones rendered now.
    public func buffers(now: Double) -> [ByteBuffer] {
        segments.map { segment in
            if case .fixed(let lines) = segment { return lines.bytes }
            var buffer = ByteBuffer()
            buffer.reserveCapacity(segment.estimatedByteCount)
            segment.write(into: &buffer, now: now)
            return buffer
        }
    }

    /// The body as deflate pieces for one gzip stream (see `GzipStream`): fixed lines compressed once and
    /// reused, scrape-time ones rendered and compressed now (ages in parallel chunks).
    public func gzipPieces(now: Double) async throws -> [GzipStream.Piece] {
        var pieces: [GzipStream.Piece] = []
        for segment in segments {
            switch segment {
            case .fixed(let lines):
                pieces.append(try lines.gzipPiece())
            case .ageSince(let series):
                pieces += try await series.gzipPieces(now: now)
            case .countWithin:
                var buffer = ByteBuffer()
                segment.write(into: &buffer, now: now)
                pieces.append(try GzipStream.piece(buffer, level: GzipStream.scrapeTimeLevel))
            }
        }
        return pieces
    }

    /// Compresses every fixed segment not compressed yet (the publishing collector calls this after a poll,
    /// so no scrape waits for it).
    public func prepareCompressed() {
        for case .fixed(let lines) in segments {
            _ = try? lines.gzipPiece()
        }
    }
}
