import NIOCore

/// The families of every source's latest snapshot, merged by family name and sorted, ready to be written.
///
/// A plan is built when a snapshot is published, not per scrape: a scrape walks it and writes each
/// family's header once, followed by every source's samples of that family.
public struct ExpositionPlan: Sendable {
    struct Entry: Sendable {
        let header: ByteBuffer
        let bodies: [FamilySamples.Body]
    }

    let entries: [Entry]
    /// A close guess at the size of the rendered text, to size the output buffer once.
    public let estimatedByteCount: Int

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
        var estimate = 0
        entries = order.sorted().map { name in
            let (family, bodies) = byName[name]!
            var header = ByteBuffer()
            ExpositionText.writeHeader(of: family, into: &header)
            estimate += header.readableBytes + bodies.reduce(0) { $0 + $1.estimatedByteCount }
            return Entry(header: header, bodies: bodies)
        }
        estimatedByteCount = estimate
    }

    /// Writes every family, computing scrape-time values against `now` (Unix seconds).
    public func write(into buffer: inout ByteBuffer, now: Double) {
        for entry in entries {
            var header = entry.header
            buffer.writeBuffer(&header)
            for body in entry.bodies {
                body.write(into: &buffer, now: now)
            }
        }
    }
}
