/// The settings of one `usage-exporter backfill` run, validated: the time grid, the block windows, the
/// labels added to every series, and where the files go.
public struct BackfillOptions: Sendable, Equatable {
    /// The first grid instant (Unix seconds, a multiple of `step`).
    public var start: Int
    /// The last grid instant (Unix seconds, a multiple of `step`), included.
    public var end: Int
    /// Seconds between two samples of a series; the grid is aligned to the Unix epoch.
    public var step: Int
    /// Labels added to every series, as Prometheus adds `job` and `instance` to what it scrapes.
    public var labels: [BackfillLabel]
    /// The length of one output file's window (Unix-epoch aligned), one of ``blockDurations``.
    public var blockDuration: Int
    /// Also backfill per-user series: the Google per-user report (with `user_report: true`) and the per-user
    /// Windsurf analytics families.
    public var perUser: Bool
    public var outputDirectory: String
    /// Fetch and count, write no OpenMetrics file.
    public var dryRun: Bool
    /// How long after the start of its (US Pacific) date a Google report is taken to be available; nil: the
    /// lag the live exporter observes now, in whole days.
    public var googleLag: Int?
    /// Upstream requests in flight at once, over all sources.
    public var concurrency: Int

    /// The block durations `promtool tsdb create-blocks-from openmetrics` can make (its compatible ranges).
    public static let blockDurations: [(text: String, seconds: Int)] = [
        ("2h", 7_200), ("6h", 21_600), ("18h", 64_800), ("54h", 194_400), ("162h", 583_200),
    ]
    /// The longest range one run covers.
    public static let maximumRange = 731 * 86_400
    /// The largest step that keeps Prometheus' default 5-minute lookback working in every panel.
    public static let lookbackSafeStep = 300

    public init(
        start: Int,
        end: Int,
        step: Int = 300,
        labels: [BackfillLabel] = [],
        blockDuration: Int = 583_200,
        perUser: Bool = false,
        outputDirectory: String,
        dryRun: Bool = false,
        googleLag: Int? = nil,
        concurrency: Int = 4
    ) {
        self.start = start
        self.end = end
        self.step = step
        self.labels = labels
        self.blockDuration = blockDuration
        self.perUser = perUser
        self.outputDirectory = outputDirectory
        self.dryRun = dryRun
        self.googleLag = googleLag
        self.concurrency = concurrency
    }

    /// The options the flags ask for at `now` (Unix seconds); every problem is reported at once, each naming
    /// its flag.
    public static func parse(
        start startText: String?,
        end endText: String?,
        step stepText: String,
        labels labelTexts: [String],
        blockDuration blockText: String,
        perUser: Bool,
        outputDirectory: String?,
        dryRun: Bool,
        googleLag lagText: String?,
        concurrency: Int,
        now: Double
    ) throws(BackfillOptionsError) -> BackfillOptions {
        var problems: [String] = []
        var step = 300
        if let duration = PrometheusDuration.parse(stepText), duration.components.attoseconds == 0,
            (1...86_400).contains(duration.components.seconds)
        {
            step = Int(duration.components.seconds)
        } else {
            problems.append("--backfill.step: expected whole seconds between 1s and 1d in Prometheus syntax (5m, 1m, 30s), got \"\(stepText)\"")
        }
        let nowSeconds = Int(flooring: now)
        var end = nowSeconds
        if let endText {
            if let time = parseInstant(endText) {
                end = time
                if end > nowSeconds { problems.append("--backfill.end: \(endText) is in the future; history ends now at the latest") }
            } else {
                problems.append(
                    "--backfill.end: expected a date (2026-11-01), an RFC 3339 time (2026-11-01T12:00:00Z) or nothing (now), got \"\(endText)\""
                )
            }
        }
        end = floorDivide(end, step) * step
        var start = end
        if let startText {
            if let time = parseInstant(startText) {
                start = time
            } else if let duration = PrometheusDuration.parse(startText), duration > .zero {
                start = end - Int(clamping: duration.components.seconds)
            } else {
                problems.append(
                    "--backfill.start: expected a date (2026-11-01), an RFC 3339 time (2026-11-01T12:00:00Z) or a duration before the end (30d), got \"\(startText)\""
                )
            }
        } else {
            problems.append("--backfill.start: required (a date, an RFC 3339 time or a duration before the end such as 30d)")
        }
        start = ceilDivide(start, step) * step
        if problems.isEmpty {
            if start > end {
                problems.append("--backfill.start: \(startText ?? "") is after the end of the range (\(RFC3339Timestamp.format(Double(end))))")
            } else if end - start > maximumRange {
                problems.append("--backfill.start: the range may be at most 731 days, got \((end - start + 86_399) / 86_400) days")
            }
        }
        var labels: [BackfillLabel] = []
        for text in labelTexts {
            switch BackfillLabel.parse(text) {
            case .success(let label):
                if labels.contains(where: { $0.name == label.name }) {
                    problems.append("--backfill.label: \(label.name) is given twice")
                } else {
                    labels.append(label)
                }
            case .failure(let problem):
                problems.append("--backfill.label: \(problem.text)")
            }
        }
        let block = blockDurations.first { $0.text == blockText || PrometheusDuration.parse(blockText) == .seconds($0.seconds) }
        if block == nil {
            problems.append(
                "--backfill.block-duration: expected one of \(blockDurations.map(\.text).joined(separator: ", ")) (the block durations promtool makes), got \"\(blockText)\""
            )
        }
        if outputDirectory?.isEmpty ?? true {
            problems.append("--backfill.output-dir: required: the directory the OpenMetrics files, the manifest and the answer cache go to")
        }
        var lag: Int?
        if let lagText {
            if let duration = PrometheusDuration.parse(lagText), duration.components.attoseconds == 0,
                (0...(30 * 86_400)).contains(duration.components.seconds)
            {
                lag = Int(duration.components.seconds)
            } else {
                problems.append(
                    "--backfill.google-lag: expected whole seconds between 0s and 30d in Prometheus syntax (2d, 2d6h), got \"\(lagText)\""
                )
            }
        }
        if !(1...32).contains(concurrency) {
            problems.append("--backfill.concurrency: expected 1 to 32 requests in flight, got \(concurrency)")
        }
        guard problems.isEmpty, let block, let outputDirectory else { throw BackfillOptionsError(problems: problems) }
        return BackfillOptions(
            start: start,
            end: end,
            step: step,
            labels: labels,
            blockDuration: block.seconds,
            perUser: perUser,
            outputDirectory: outputDirectory,
            dryRun: dryRun,
            googleLag: lag,
            concurrency: concurrency
        )
    }

    /// `2026-11-01` (00:00 UTC) or an RFC 3339 time, in whole Unix seconds (rounded down).
    static func parseInstant(_ text: String) -> Int? {
        if text.utf8.count == 10, let day = RFC3339Timestamp.day(ofDate: text) { return day * 86_400 }
        return RFC3339Timestamp.parse(text).map { Int(flooring: $0) }
    }

    /// The grid instants, `start` to `end` every `step`.
    public var instantCount: Int { (end - start) / step + 1 }

    /// The text of `blockDuration` (`162h`).
    public var blockDurationText: String { Self.blockDurations.first { $0.seconds == blockDuration }?.text ?? "\(blockDuration)s" }

    /// The block windows the range touches: `[start, end)` in Unix seconds, aligned to `blockDuration` from the
    /// epoch as promtool aligns its blocks, each with the grid instants that fall in it.
    public var windows: [BackfillWindow] {
        var windows: [BackfillWindow] = []
        var windowStart = Self.floorDivide(start, blockDuration) * blockDuration
        while windowStart <= end {
            let windowEnd = windowStart + blockDuration
            let first = max(start, Self.ceilDivide(windowStart, step) * step)
            let last = min(end, Self.floorDivide(windowEnd - 1, step) * step)
            if first <= last {
                windows.append(BackfillWindow(start: windowStart, end: windowEnd, firstInstant: first, lastInstant: last, step: step))
            }
            windowStart = windowEnd
        }
        return windows
    }

    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    static func ceilDivide(_ value: Int, _ divisor: Int) -> Int {
        -floorDivide(-value, divisor)
    }
}

/// One block window: the instants of one OpenMetrics file.
public struct BackfillWindow: Sendable, Equatable {
    /// Unix seconds; `end` exclusive.
    public let start: Int
    public let end: Int
    public let firstInstant: Int
    public let lastInstant: Int
    public let step: Int

    public var instants: StrideThrough<Int> { stride(from: firstInstant, through: lastInstant, by: step) }
    public var instantCount: Int { (lastInstant - firstInstant) / step + 1 }
}

/// A `name=value` label added to every backfilled series.
public struct BackfillLabel: Sendable, Equatable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// `name=value`, with a valid Prometheus label name that is not reserved (`__` prefix).
    static func parse(_ text: String) -> Result<BackfillLabel, BackfillOptionsError.Problem> {
        guard let equals = text.firstIndex(of: "=") else {
            return .failure(.init("expected name=value, got \"\(text)\""))
        }
        let name = String(text[..<equals])
        let value = String(text[text.index(after: equals)...])
        guard isValidName(name) else {
            return .failure(.init("\"\(name)\" is not a label name (letters, digits and _, not starting with a digit)"))
        }
        guard !name.hasPrefix("__") else {
            return .failure(.init("\(name): names starting with __ are reserved for Prometheus"))
        }
        return .success(BackfillLabel(name: name, value: value))
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
        }
    }
}

/// Flags that cannot make a backfill, one line each, naming the flag.
public struct BackfillOptionsError: Error, Sendable, CustomStringConvertible {
    public let problems: [String]

    struct Problem: Error {
        let text: String
        init(_ text: String) { self.text = text }
    }

    public var description: String { problems.joined(separator: "\n") }
}
