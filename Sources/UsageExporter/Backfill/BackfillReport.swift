import Foundation

/// What `usage-exporter backfill` prints when it is done: the windows with their series and samples, the
/// totals, the retention Prometheus needs to keep the history, and (after a real run) how to import the files.
public struct BackfillReport: Sendable {
    public let summary: Backfill.Summary
    public let options: BackfillOptions
    /// When the run started (Unix seconds): the retention counts back from now.
    public let now: Double

    public init(summary: Backfill.Summary, options: BackfillOptions, now: Double) {
        self.summary = summary
        self.options = options
        self.now = now
    }

    /// Days of `--storage.tsdb.retention.time` that keep the oldest sample: Prometheus deletes blocks older than
    /// its newest data minus the retention, and the newest data is now. One day of margin.
    public var retentionDays: Int { max(1, Int(flooring: ((now - Double(options.start)) / 86_400).rounded(.up)) + 1) }

    public var text: String {
        let manifest = summary.manifest
        var lines: [String] = []
        for window in manifest.windows {
            lines.append(
                "\(window.file ?? "window") \(window.start) to \(window.end): \(window.series) series, \(window.samples) samples, \(Self.bytes(window.bytes))"
            )
        }
        let verb = options.dryRun ? "would write" : "wrote"
        lines.append(
            "\(verb) \(manifest.windows.count) file(s), \(manifest.series) series, \(manifest.samples) samples, \(Self.bytes(manifest.bytes)) (\(summary.requests) upstream requests, \(summary.answersFromCache) answers from the cache)"
        )
        lines.append(
            "Prometheus keeps this history with --storage.tsdb.retention.time=\(retentionDays)d or longer (it reaches back to \(manifest.start))"
        )
        if !options.dryRun {
            lines.append(
                "import: for f in \(options.outputDirectory)/*.om; do promtool tsdb create-blocks-from openmetrics --max-block-duration=\(options.blockDurationText) \"$f\" BLOCKS_DIR; done"
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `345.6 MB`, in decimal units as `du --si` prints them.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count)
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
