import NIOCore
import NIOPosix

/// The families of every source's latest snapshot, merged by family name and sorted, ready to be written.
///
/// A plan is built when the store's data changes (a poll publishes, a reload installs sources, a stale
/// source is dropped), never per scrape, and copies no sample text: it lists the snapshots' bodies between
/// the family headers. Everything that only changes with the data is then done once per plan and format
/// (``PreparedExposition``): runs of fixed lines become a few large buffers for plain scrapes and a span of
/// compressed pieces each for gzip scrapes. A scrape renders only the scrape-time families (ages,
/// active-user counts) and, for gzip, compresses them into pieces spliced between those spans.
///
/// A plan is immutable and holds one snapshot per source, so a scrape, which takes one plan, never mixes two
/// snapshots of a source; a new plan starts with nothing prepared, so nothing prepared outlives the data it
/// was made from.
public struct ExpositionPlan: Sendable {
    /// One element of the body in output order.
    enum Segment: Sendable {
        /// The `# HELP` and `# TYPE` lines of a family, written for the scrape's format.
        case header(MetricFamily)
        case body(FamilySamples.Body)
    }

    let segments: [Segment]
    /// Whether a family is a counter, whose OpenMetrics header differs from the text format's.
    private let hasCounters: Bool
    private let prepared: PreparedExposition.Cache

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
        segments = order.sorted().flatMap { name -> [Segment] in
            let (family, bodies) = byName[name]!
            return [.header(family)] + bodies.map(Segment.body)
        }
        hasCounters = byName.values.contains { $0.family.type == .counter }
        prepared = PreparedExposition.Cache()
    }

    /// Writes every family in `format`, computing scrape-time values against `now` (Unix seconds).
    public func write(into buffer: inout ByteBuffer, now: Double, format: ExpositionFormat = .text) {
        for segment in segments {
            switch segment {
            case .header(let family): ExpositionText.writeHeader(of: family, format: format, into: &buffer)
            case .body(let body): body.write(into: &buffer, now: now)
            }
        }
    }

    /// The prepared body of `format`, made on first use. Formats whose headers are the same share one.
    func prepared(_ format: ExpositionFormat) -> PreparedExposition {
        prepared.get(hasCounters ? format : .text) { PreparedExposition(segments: segments, format: $0) }
    }

    /// The plain body for a scrape at `now`: the prepared buffers, shared and not copied, and the
    /// scrape-time families rendered now on NIO's blocking thread pool.
    public func plainBuffers(now: Double, format: ExpositionFormat = .text) async throws -> [ByteBuffer] {
        let prepared = try await NIOThreadPool.singleton.runIfActive { self.prepared(format) }
        return try await prepared.plainBuffers(now: now)
    }

    /// The gzip body for a scrape at `now`, as spans of one gzip stream: each run of fixed lines is a span
    /// prepared once per plan from pieces compressed once per snapshot; the scrape-time families are
    /// rendered and compressed now, large ones in parallel chunks. `GzipStream.assemble` makes the member,
    /// with whatever the caller adds after them.
    public func gzipSpans(now: Double, format: ExpositionFormat = .text) async throws -> [GzipStream.Span] {
        // Compressing what is not compressed yet (after a reload or a stale source rebuilt the plan) is
        // blocking work too.
        let prepared = try await NIOThreadPool.singleton.runIfActive {
            let prepared = self.prepared(format)
            _ = try prepared.gzipParts()
            return prepared
        }
        return try await prepared.gzipSpans(now: now)
    }

    /// Prepares the plain and gzip bodies of every format, so that no scrape waits for it: the publishing
    /// collector calls this after a poll, outside the store's lock. A failure is left for the first gzip
    /// scrape to report.
    public func prepare() {
        let formats: [ExpositionFormat] = hasCounters ? [.text, .openMetrics] : [.text]
        for format in formats {
            _ = try? prepared(format).gzipParts()
        }
    }
}
