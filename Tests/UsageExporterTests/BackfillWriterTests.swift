import Foundation
import NIOCore
import Testing

@testable import UsageExporter

/// The backfill's flags, its time grid and block windows, the OpenMetrics it writes, and its answer cache, without
/// any upstream.
@Suite("Backfill options and writer")
struct BackfillWriterTests {
    static let now = 1_796_000_123.0  // 2026-11-30T00:55:23Z

    static func parse(
        start: String? = "2026-11-01",
        end: String? = nil,
        step: String = "5m",
        labels: [String] = [],
        block: String = "162h",
        output: String? = "/tmp/out",
        lag: String? = nil,
        concurrency: Int = 4
    ) throws(BackfillOptionsError) -> BackfillOptions {
        try BackfillOptions.parse(
            start: start,
            end: end,
            step: step,
            labels: labels,
            blockDuration: block,
            perUser: false,
            outputDirectory: output,
            dryRun: false,
            googleLag: lag,
            concurrency: concurrency,
            now: now
        )
    }

    static func problems(_ parse: () throws(BackfillOptionsError) -> BackfillOptions) -> [String] {
        do {
            _ = try parse()
            return []
        } catch {
            return error.problems
        }
    }

    @Test("the grid: the start rounded up and the end (default now) rounded down to the step, epoch-aligned")
    func grid() throws {
        let options = try Self.parse(start: "2026-11-01T00:02:00Z")
        #expect(options.start == 1_793_491_500)  // 2026-11-01T00:05:00Z
        #expect(options.end == 1_796_000_100)  // 00:55:23 → 00:55:00
        #expect(options.step == 300 && options.blockDuration == 583_200 && options.googleLag == nil)
        let relative = try Self.parse(start: "30d", end: "2026-11-29T12:00:00Z", step: "1m")
        #expect(relative.end == 1_795_953_600 && relative.start == relative.end - 30 * 86_400)
        #expect(try Self.parse(start: "2026-11-29", end: "2026-11-29").instantCount == 1)
        #expect(try Self.parse(lag: "2d6h").googleLag == 194_400)
        #expect(try Self.parse(block: "2h").blockDuration == 7_200)
    }

    @Test("block windows are aligned to the block duration from the epoch, as promtool aligns blocks, and hold every instant once")
    func windows() throws {
        let options = try Self.parse(start: "2026-11-01", end: "2026-11-03T01:00:00Z", step: "15m", block: "18h")
        let windows = options.windows
        #expect(windows.count == options.end / 64_800 - options.start / 64_800 + 1 && windows.count == 4)
        #expect(windows.allSatisfy { $0.start % 64_800 == 0 && $0.end == $0.start + 64_800 })
        #expect(windows.first?.firstInstant == options.start && windows.last?.lastInstant == options.end)
        #expect(windows.reduce(0) { $0 + $1.instantCount } == options.instantCount)
        for (earlier, later) in zip(windows, windows.dropFirst()) {
            #expect(earlier.end == later.start && later.firstInstant == earlier.lastInstant + 900)
        }
    }

    @Test("every bad flag is named, all at once")
    func badFlags() {
        #expect(
            Self.problems { () throws(BackfillOptionsError) in
                try Self.parse(start: nil, step: "5x", labels: ["job", "1x=y", "__name__=z"], block: "3h", output: nil, lag: "-1d", concurrency: 0)
            } == [
                "--backfill.step: expected whole seconds between 1s and 1d in Prometheus syntax (5m, 1m, 30s), got \"5x\"",
                "--backfill.start: required (a date, an RFC 3339 time or a duration before the end such as 30d)",
                "--backfill.label: expected name=value, got \"job\"",
                "--backfill.label: \"1x\" is not a label name (letters, digits and _, not starting with a digit)",
                "--backfill.label: __name__: names starting with __ are reserved for Prometheus",
                "--backfill.block-duration: expected one of 2h, 6h, 18h, 54h, 162h (the block durations promtool makes), got \"3h\"",
                "--backfill.output-dir: required: the directory the OpenMetrics files, the manifest and the answer cache go to",
                "--backfill.google-lag: expected whole seconds between 0s and 30d in Prometheus syntax (2d, 2d6h), got \"-1d\"",
                "--backfill.concurrency: expected 1 to 32 requests in flight, got 0",
            ]
        )
        #expect(
            Self.problems { () throws(BackfillOptionsError) in try Self.parse(start: "2026-12-01") } == [
                "--backfill.start: 2026-12-01 is after the end of the range (2026-11-30T00:55:00Z)"
            ]
        )
        #expect(
            Self.problems { () throws(BackfillOptionsError) in try Self.parse(end: "2027-01-01") } == [
                "--backfill.end: 2027-01-01 is in the future; history ends now at the latest"
            ]
        )
        #expect(
            Self.problems { () throws(BackfillOptionsError) in try Self.parse(start: "2024-01-01") } == [
                "--backfill.start: the range may be at most 731 days, got 1065 days"
            ]
        )
        #expect(
            Self.problems { () throws(BackfillOptionsError) in try Self.parse(start: "yesterday", end: "2026-13-01") } == [
                "--backfill.end: expected a date (2026-11-01), an RFC 3339 time (2026-11-01T12:00:00Z) or nothing (now), got \"2026-13-01\"",
                "--backfill.start: expected a date (2026-11-01), an RFC 3339 time (2026-11-01T12:00:00Z) or a duration before the end (30d), got \"yesterday\"",
            ]
        )
        #expect(
            Self.problems { () throws(BackfillOptionsError) in try Self.parse(labels: ["job=a", "job=b"]) } == [
                "--backfill.label: job is given twice"
            ]
        )
    }

    static func family(_ name: String, help: String, _ samples: [(LabelSet, Double)]) -> FamilySamples {
        var builder = FixedSamplesBuilder(MetricFamily(name, help: help))
        for (labels, value) in samples { builder.add(labels, value) }
        return builder.build()!
    }

    static func write(
        _ segments: [OpenMetricsBlockWriter.Segment],
        labels: [BackfillLabel] = [],
        step: Int = 300,
        chunkSize: Int = 1 << 20
    )
        throws -> (text: String, counts: OpenMetricsBlockWriter.Counts, pieces: Int)
    {
        var text = ByteBuffer()
        var pieces = 0
        let counts = try OpenMetricsBlockWriter(labels: labels).write(segments, step: step, chunkSize: chunkSize) { buffer in
            pieces += 1
            text.writeBuffer(&buffer)
        }
        return (String(buffer: text), counts, pieces)
    }

    @Test("golden: families once and by name, series by text, samples ascending per series, escaping kept, target labels added, # EOF")
    func golden() throws {
        let quoted = LabelSet([("team", "a\"b\\c\nd"), ("window", "7d")])
        let plain = LabelSet([("team", "zeta"), ("window", "7d")])
        let first = [
            Self.family("zz_lines", help: "Lines \\ with \"quotes\"\nand a break.", [(quoted, 1.5), (plain, 2)]),
            Self.family("aa_info", help: "Info.", [(LabelSet([("job", "inner"), ("value", "x")]), 1)]),
        ]
        let second = [Self.family("zz_lines", help: "Lines \\ with \"quotes\"\nand a break.", [(plain, 3), (LabelSet.empty, 7)])]
        let (text, counts, _) = try Self.write(
            [.init(first: 0, last: 600, families: first), .init(first: 900, last: 1200, families: second)],
            labels: [BackfillLabel(name: "job", value: "usage-exporter"), BackfillLabel(name: "instance", value: "host:9834")]
        )
        #expect(
            text == """
                # HELP aa_info Info.
                # TYPE aa_info gauge
                aa_info{exported_job="inner",value="x",job="usage-exporter",instance="host:9834"} 1 0
                aa_info{exported_job="inner",value="x",job="usage-exporter",instance="host:9834"} 1 300
                aa_info{exported_job="inner",value="x",job="usage-exporter",instance="host:9834"} 1 600
                # HELP zz_lines Lines \\\\ with "quotes"\\nand a break.
                # TYPE zz_lines gauge
                zz_lines{job="usage-exporter",instance="host:9834"} 7 900
                zz_lines{job="usage-exporter",instance="host:9834"} 7 1200
                zz_lines{team="a\\"b\\\\c\\nd",window="7d",job="usage-exporter",instance="host:9834"} 1.5 0
                zz_lines{team="a\\"b\\\\c\\nd",window="7d",job="usage-exporter",instance="host:9834"} 1.5 300
                zz_lines{team="a\\"b\\\\c\\nd",window="7d",job="usage-exporter",instance="host:9834"} 1.5 600
                zz_lines{team="zeta",window="7d",job="usage-exporter",instance="host:9834"} 2 0
                zz_lines{team="zeta",window="7d",job="usage-exporter",instance="host:9834"} 2 300
                zz_lines{team="zeta",window="7d",job="usage-exporter",instance="host:9834"} 2 600
                zz_lines{team="zeta",window="7d",job="usage-exporter",instance="host:9834"} 3 900
                zz_lines{team="zeta",window="7d",job="usage-exporter",instance="host:9834"} 3 1200
                # EOF

                """
        )
        #expect(counts == .init(series: 4, samples: 13, bytes: text.utf8.count))
    }

    @Test("without added labels the series are the exposition's own; pieces of the chunk size add up to the file")
    func chunks() throws {
        let families = [Self.family("x", help: "X.", (0..<50).map { (LabelSet([("n", "\($0)")]), Double($0)) })]
        let whole = try Self.write([.init(first: 0, last: 3_000, families: families)], step: 60)
        let pieced = try Self.write([.init(first: 0, last: 3_000, families: families)], step: 60, chunkSize: 512)
        #expect(whole.text == pieced.text && whole.pieces == 1 && pieced.pieces > 10)
        #expect(whole.counts.samples == 50 * 51 && whole.text.hasSuffix("x{n=\"9\"} 9 3000\n# EOF\n"))
        #expect(whole.text.contains("x{n=\"10\"} 10 0\n") && !whole.text.contains("job="))
    }

    @Test("added labels: a series without labels gets a block; label values with commas and braces are read as values")
    func addedLabels() {
        let job = [BackfillLabel(name: "job", value: "a\"b")]
        #expect(OpenMetricsBlockWriter.adding(job, to: "up") == "up{job=\"a\\\"b\"}")
        #expect(OpenMetricsBlockWriter.adding(job, to: "up{}") == "up{job=\"a\\\"b\"}")
        #expect(OpenMetricsBlockWriter.adding(job, to: "up{x=\"1,job=\\\"2\\\"}\"}") == "up{x=\"1,job=\\\"2\\\"}\",job=\"a\\\"b\"}")
        #expect(OpenMetricsBlockWriter.adding(job, to: "up{job=\"x\",y=\"2\"}") == "up{exported_job=\"x\",y=\"2\",job=\"a\\\"b\"}")
        #expect(OpenMetricsBlockWriter.adding([], to: "up{job=\"x\"}") == "up{job=\"x\"}")
    }

    @Test("a cached answer reads back as written; another format or a truncated file is no answer")
    func cacheRoundTrip() throws {
        let families = [
            Self.family("a", help: "Help \\ with\na break.", [(LabelSet([("k", "v\"w")]), 1.25)]),
            Self.family("b", help: "B.", [(LabelSet.empty, 3)]),
        ]
        for completeness in [BackfillAnswer.Completeness.complete, .partial(["drive", "gmail"]), .empty] {
            let written = BackfillAnswer(completeness: completeness, families: completeness == .empty ? [] : families)
            let read = try #require(BackfillAnswer.parse(written.serialized()))
            #expect(read.completeness == completeness)
            #expect(read.families.map(\.family) == written.families.map(\.family))
            #expect(read.families.map(Self.text) == written.families.map(Self.text))
        }
        var truncated = BackfillAnswer(completeness: .complete, families: families).serialized()
        truncated.moveWriterIndex(to: truncated.writerIndex - 3)
        #expect(BackfillAnswer.parse(truncated) == nil)
        #expect(BackfillAnswer.parse(ByteBuffer(string: "usage-exporter-backfill-answer 2\ncomplete\n")) == nil)
    }

    static func text(_ samples: FamilySamples) -> String {
        guard case .fixed(let lines) = samples.body else { return "" }
        return String(buffer: lines.bytes)
    }

    /// A schedule whose selection is given by a table, for the timeline.
    struct TableSchedule: BackfillSchedule {
        let table: @Sendable (Int) -> Int?
        var days: [Int] { [] }
        var prepared: [Int: BackfillAnswer] { [:] }
        var facts: [String: String] { [:] }
        func fetch(day: Int, context: BackfillContext) async throws -> BackfillAnswer? { nil }
        func selection(at instant: Int, completeness: (Int) -> BackfillAnswer.Completeness?) -> Int? { table(instant) }
        func dateText(_ day: Int) -> String { "\(day)" }
    }

    @Test("timeline: runs of one answer; an instant without one keeps the last for max_stale, then serves nothing")
    func timeline() {
        let options = BackfillOptions(start: 0, end: 3_000, step: 300, outputDirectory: "/tmp")
        // Day 1 until 900, nothing from 1200 to 2700, day 2 at 3000.
        let schedule = TableSchedule { instant in instant <= 900 ? 1 : instant >= 3_000 ? 2 : nil }
        let timeline = BackfillTimeline(schedule: schedule, options: options, maxStale: 600) { _ in .complete }
        #expect(timeline.runs == [.init(first: 0, last: 1_800, day: 1), .init(first: 3_000, last: 3_000, day: 2)])
        let window = BackfillWindow(start: 600, end: 1_500, firstInstant: 600, lastInstant: 1_200, step: 300)
        #expect(timeline.runs(in: window) == [.init(first: 600, last: 1_200, day: 1)])
    }

    @Test("the report's sizes in decimal units")
    func sizes() {
        #expect(BackfillReport.bytes(999) == "999 B")
        #expect(BackfillReport.bytes(1_500) == "1.5 kB")
        #expect(BackfillReport.bytes(2_900_000_000) == "2.9 GB")
    }
}
