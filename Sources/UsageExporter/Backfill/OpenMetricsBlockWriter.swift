import NIOCore

/// Writes one block window as OpenMetrics text with explicit timestamps, the input of `promtool tsdb
/// create-blocks-from openmetrics`: every family once (`# HELP`, `# TYPE`), families by name, the series of a
/// family by their text, each series' samples strictly ascending in integer seconds, and `# EOF` at the end.
///
/// The sample lines are the live exporter's own: each answer's families as the collectors render them for
/// `/metrics`, with the added labels (`job`, `instance`) put in as Prometheus adds target labels: a label the
/// series already has is kept as `exported_<name>`, as with `honor_labels: false`.
struct OpenMetricsBlockWriter {
    /// The added labels, escaped once.
    let labels: [BackfillLabel]

    /// A time span of one source's answer within the window.
    struct Segment {
        let first: Int
        let last: Int
        let families: [FamilySamples]
    }

    /// What a window held.
    struct Counts: Sendable, Equatable {
        var series = 0
        var samples = 0
        var bytes = 0
    }

    /// A family's series and, for each, the segments it is in with its value there.
    private struct MergedFamily {
        let family: MetricFamily
        var series: [String: [(segment: Int, value: String)]] = [:]
    }

    /// Writes `segments` (each source's in time order; `step` apart within a segment), handing the text to `emit`
    /// in pieces of about `chunkSize` bytes; `seriesSeen` receives every series' text.
    func write(
        _ segments: [Segment],
        step: Int,
        chunkSize: Int = 1 << 20,
        seriesSeen: (String) -> Void = { _ in },
        emit: (inout ByteBuffer) throws -> Void
    ) throws -> Counts {
        var merged: [String: MergedFamily] = [:]
        for (index, segment) in segments.enumerated() {
            for samples in segment.families {
                guard case .fixed(let lines) = samples.body else { continue }  // scrape-time series have no past
                let name = samples.family.name
                var family = merged.removeValue(forKey: name) ?? MergedFamily(family: samples.family)
                for line in String(buffer: lines.bytes).split(separator: "\n") {
                    guard let space = line.lastIndex(of: " ") else { continue }
                    family.series[String(line[..<space]), default: []].append((index, String(line[line.index(after: space)...])))
                }
                merged[name] = family
            }
        }
        var counts = Counts()
        var buffer = ByteBuffer()
        buffer.reserveCapacity(chunkSize + 4096)
        func flushIfFull() throws {
            guard buffer.readableBytes >= chunkSize else { return }
            counts.bytes += buffer.readableBytes
            try emit(&buffer)
            buffer.clear()
        }
        for name in merged.keys.sorted() {
            let family = merged[name]!
            ExpositionText.writeHeader(of: family.family, format: .openMetrics, into: &buffer)
            for series in family.series.keys.sorted() {
                seriesSeen(series)
                counts.series += 1
                let labelled = Self.adding(labels, to: series)
                var previousLast = Int.min
                // Segments of one source never overlap; a series two sources shared would keep the first's samples.
                for entry in family.series[series]!.sorted(by: { segments[$0.segment].first < segments[$1.segment].first }) {
                    let segment = segments[entry.segment]
                    guard segment.first > previousLast else { continue }
                    previousLast = segment.last
                    let head = labelled + " " + entry.value + " "
                    var instant = segment.first
                    while instant <= segment.last {
                        buffer.writeString(head)
                        ExpositionText.writeInteger(Int64(instant), into: &buffer)
                        buffer.writeInteger(UInt8(ascii: "\n"))
                        counts.samples += 1
                        instant += step
                        try flushIfFull()
                    }
                }
            }
        }
        buffer.writeString("# EOF\n")
        counts.bytes += buffer.readableBytes
        try emit(&buffer)
        return counts
    }

    /// `series` (`name` or `name{...}` as the exposition writes it) with `labels` added; a label it already has is
    /// renamed `exported_<name>`.
    static func adding(_ labels: [BackfillLabel], to series: String) -> String {
        guard !labels.isEmpty else { return series }
        let added = labels.map { "\($0.name)=\"\(ExpositionText.escapeLabelValue($0.value))\"" }.joined(separator: ",")
        guard let brace = series.firstIndex(of: "{"), series.last == "}" else { return series + "{" + added + "}" }
        let name = series[..<brace]
        let pairs = Self.pairs(series[series.index(after: brace)..<series.index(before: series.endIndex)])
        let taken = Set(labels.map(\.name))
        guard pairs.contains(where: { taken.contains(String($0.name)) }) else {
            return pairs.isEmpty ? String(name) + "{" + added + "}" : String(series.dropLast()) + "," + added + "}"
        }
        let kept: [String] = pairs.map { pair in
            let name = String(pair.name)
            return (taken.contains(name) ? "exported_" + name : name) + "=" + String(pair.quotedValue)
        }
        return String(name) + "{" + (kept + [added]).joined(separator: ",") + "}"
    }

    /// The `name="value"` pairs of a label block's inside, values kept quoted and escaped as written.
    static func pairs(_ inside: Substring) -> [(name: Substring, quotedValue: Substring)] {
        var pairs: [(Substring, Substring)] = []
        var index = inside.startIndex
        while index < inside.endIndex {
            guard let equals = inside[index...].firstIndex(of: "=") else { break }
            let name = inside[index..<equals]
            var cursor = inside.index(after: equals)
            guard cursor < inside.endIndex, inside[cursor] == "\"" else { break }
            let valueStart = cursor
            cursor = inside.index(after: cursor)
            var escaped = false
            while cursor < inside.endIndex {
                let character = inside[cursor]
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    break
                }
                cursor = inside.index(after: cursor)
            }
            guard cursor < inside.endIndex else { break }
            cursor = inside.index(after: cursor)
            pairs.append((name, inside[valueStart..<cursor]))
            if cursor < inside.endIndex, inside[cursor] == "," { cursor = inside.index(after: cursor) }
            index = cursor
        }
        return pairs
    }
}
