import ArgumentParser
import Foundation
import Logging
import UsageExporter

/// `usage-exporter backfill`: the history of every source that has one, as OpenMetrics files for
/// `promtool tsdb create-blocks-from openmetrics` (or VictoriaMetrics' `/api/v1/import/prometheus`).
struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage-exporter backfill",
        abstract: "Write the past of every source with history as Prometheus would have scraped it, as OpenMetrics files.",
        discussion: """
            Backfilled: the Google Workspace customer usage report (and the per-user report with --backfill.per-user), and the \
            Windsurf analytics families (teams with analytics: true). Not backfilled: the families that describe only the \
            present (the Windsurf user page, credit balance and last-usage ages). One file per block window; import each with
            promtool tsdb create-blocks-from openmetrics --max-block-duration=162h FILE DATA_DIR
            """
    )

    @Option(name: .customLong("config.file"), help: ArgumentHelp("YAML configuration file (the exporter's own).", valueName: "path"))
    var configFile = "usage-exporter.yml"

    @Option(
        name: .customLong("backfill.start"),
        help: ArgumentHelp("First instant: a date (2026-11-01, 00:00 UTC), an RFC 3339 time, or a duration before the end (30d).", valueName: "time")
    )
    var start: String?

    @Option(
        name: .customLong("backfill.end"),
        help: ArgumentHelp("Last instant: a date or an RFC 3339 time (default: now), rounded down to the step.", valueName: "time")
    )
    var end: String?

    @Option(
        name: .customLong("backfill.step"),
        help: ArgumentHelp("Time between two samples of a series (at most 5m keeps Prometheus' lookback working).", valueName: "duration")
    )
    var step = "5m"

    @Option(
        name: .customLong("backfill.label"),
        help: ArgumentHelp(
            "name=value added to every series; give job and instance as Prometheus labels the live target, or history and live become two series.",
            valueName: "name=value"
        )
    )
    var labels: [String] = []

    @Option(
        name: .customLong("backfill.block-duration"),
        help: ArgumentHelp("Window of one output file: 2h, 6h, 18h, 54h or 162h.", valueName: "duration")
    )
    var blockDuration = "162h"

    @Flag(name: .customLong("backfill.per-user"), help: "Also backfill per-user series (the Google per-user report, per-user Windsurf analytics).")
    var perUser = false

    @Option(
        name: .customLong("backfill.output-dir"),
        help: ArgumentHelp("Directory for the OpenMetrics files, manifest.json and the answer cache (.cache).", valueName: "directory")
    )
    var outputDirectory: String?

    @Flag(
        name: .customLong("backfill.dry-run"),
        help: "Fetch and count: print the series and samples and the retention Prometheus needs; write no file."
    )
    var dryRun = false

    @Option(
        name: .customLong("backfill.google-lag"),
        help: ArgumentHelp(
            "How long after the start of its date a Google report is available (default: the lag the live exporter observes now, in whole days).",
            valueName: "duration"
        )
    )
    var googleLag: String?

    @Option(
        name: .customLong("backfill.concurrency"),
        help: ArgumentHelp("Upstream requests in flight at once, over all sources.", valueName: "count")
    )
    var concurrency = 4

    @Option(name: .customLong("log.level"), help: ArgumentHelp("debug, info, warn or error.", valueName: "level"))
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: ArgumentHelp("logfmt or json, written to standard error.", valueName: "format"))
    var logFormat = "logfmt"

    func run() async throws {
        var problems: [String] = []
        if UsageExporterCommand.logLevels[logLevel] == nil {
            problems.append("--log.level: expected debug, info, warn or error, got \"\(logLevel)\"")
        }
        if LogFormat(rawValue: logFormat) == nil { problems.append("--log.format: expected logfmt or json, got \"\(logFormat)\"") }
        let now = Date().timeIntervalSince1970
        var options: BackfillOptions?
        do {
            options = try BackfillOptions.parse(
                start: start,
                end: end,
                step: step,
                labels: labels,
                blockDuration: blockDuration,
                perUser: perUser,
                outputDirectory: outputDirectory,
                dryRun: dryRun,
                googleLag: googleLag,
                concurrency: concurrency,
                now: now
            )
        } catch {
            problems += error.problems
        }
        let environment = ProcessInfo.processInfo.environment
        var configuration: ExporterConfiguration?
        do {
            configuration = try ConfigurationLoader.load(path: configFile, environment: environment)
        } catch {
            problems.append(error.description)
        }
        guard problems.isEmpty, let options, let configuration else {
            FileHandle.standardError.write(Data((problems.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
        let logger = UsageExporterCommand.bootstrapLogging(level: logLevel, format: logFormat)
        HeapMemory.limitRetainedMemory(environment: environment)
        let summary: Backfill.Summary
        do {
            summary = try await Backfill(configuration: configuration, options: options, logger: logger).run()
        } catch let error as BackfillError {
            FileHandle.standardError.write(Data("backfill: \(error)\n".utf8))
            throw ExitCode(1)
        }
        print(BackfillReport(summary: summary, options: options, now: now).text, terminator: "")
    }
}
