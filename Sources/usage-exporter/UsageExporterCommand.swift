import ArgumentParser
import Foundation
import Logging
import UsageExporter
import UsageExporterSimulator

/// The program's entry: `usage-exporter backfill …` runs the backfill, anything else the exporter.
///
/// The backfill is dispatched here rather than as an ArgumentParser subcommand: it takes some of the exporter's
/// own flags (`--config.file`, `--log.level`), which a parent command would claim.
@main
enum Main {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "backfill" {
            await BackfillCommand.main(Array(arguments.dropFirst()))
        } else {
            await UsageExporterCommand.main(arguments)
        }
    }
}

/// The command line of SPEC.md: flags → configuration → services.
struct UsageExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "usage-exporter",
        abstract: "Prometheus exporter for Windsurf and Google Workspace usage.",
        discussion: "usage-exporter backfill [flags] writes the history of every source that has one: see usage-exporter backfill --help.",
        version: ExporterVersion.versionLine
    )

    @Option(name: .customLong("config.file"), help: ArgumentHelp("YAML configuration file (docs/configuration.md).", valueName: "path"))
    var configFile = "usage-exporter.yml"

    @Option(
        name: .customLong("web.listen-address"),
        help: ArgumentHelp(
            "host:port, [ipv6]:port or :port to listen on.",
            discussion:
                ":port binds all IPv4 interfaces (0.0.0.0) only; [::]:9834 binds IPv6 and, on Linux with net.ipv6.bindv6only=0 (the default), IPv4 too.",
            valueName: "address"
        )
    )
    var listenAddress = ":9834"

    @Option(name: .customLong("web.telemetry-path"), help: ArgumentHelp("Path under which metrics are served; must start with /.", valueName: "path"))
    var telemetryPath = "/metrics"

    @Option(
        name: .customLong("web.config.file"),
        help: ArgumentHelp(
            "TLS, basic auth and extra response headers, in the exporter-toolkit format node_exporter uses (docs/security.md).",
            discussion: "Read once at startup. Without it, the exporter serves plain HTTP without authentication.",
            valueName: "path"
        )
    )
    var webConfigFile: String?

    @Option(name: .customLong("log.level"), help: ArgumentHelp("debug, info, warn or error.", valueName: "level"))
    var logLevel = "info"

    @Option(name: .customLong("log.format"), help: ArgumentHelp("logfmt or json, written to standard error.", valueName: "format"))
    var logFormat = "logfmt"

    @Flag(name: .customLong("print-metric-families"), help: "Print the reference of every metric family (Markdown, as docs/metrics.md) and exit.")
    var printMetricFamilies = false

    @Flag(
        name: .customLong("config.check"),
        help: ArgumentHelp(
            "Validate the configuration and every file it names (service keys, Google key files, salt), then exit: 0 valid, 1 invalid.",
            discussion:
                "With --web.config.file, also the web configuration and its certificate and key; the problems of both files are printed together, one line each. With --demo, only the web configuration."
        )
    )
    var configCheck = false

    @Flag(
        name: .customLong("demo"),
        help: ArgumentHelp(
            "Serve built-in simulated Windsurf and Google Workspace upstreams on loopback, with generated data, and poll them.",
            discussion: "No configuration needed: --config.file is ignored."
        )
    )
    var demo = false

    @Option(
        name: .customLong("demo.users"),
        help: ArgumentHelp("How many simulated Windsurf users the demo serves (at least 1).", valueName: "count")
    )
    var demoUsers = 200

    @Option(
        name: .customLong("demo.write-config"),
        help: ArgumentHelp(
            "With --demo: write the configuration of the demo's simulated upstreams to this file, for usage-exporter backfill or a second exporter.",
            discussion:
                "The file holds the simulators' own service keys and names a key file in the demo's temporary directory; it works while the demo runs.",
            valueName: "path"
        )
    )
    var demoConfigOutput: String?

    @Option(
        name: .customLong("state.file"),
        help: ArgumentHelp(
            """
            File where Retry-After waits and the consumption API's queries of the last hour are kept across restarts \
            (default: state.json in $STATE_DIRECTORY, which systemd's StateDirectory= sets; without it, memory only).
            """,
            valueName: "path"
        )
    )
    var stateFile: String?

    /// `--state.file`, or `state.json` in the first folder of `STATE_DIRECTORY` (systemd's `StateDirectory=`).
    static func stateFile(flag: String?, environment: [String: String]) -> String? {
        if let flag { return flag }
        guard let folders = environment["STATE_DIRECTORY"], let folder = folders.split(separator: ":").first, !folder.isEmpty else { return nil }
        return folder.hasSuffix("/") ? "\(folder)state.json" : "\(folder)/state.json"
    }

    func validate() throws {
        guard ListenAddress(parsing: listenAddress) != nil else {
            throw ValidationError("--web.listen-address: expected host:port or :port, got \"\(listenAddress)\"")
        }
        guard telemetryPath.hasPrefix("/") else {
            throw ValidationError("--web.telemetry-path: must start with /, got \"\(telemetryPath)\"")
        }
        guard Self.logLevels[logLevel] != nil else {
            throw ValidationError("--log.level: expected debug, info, warn or error, got \"\(logLevel)\"")
        }
        guard LogFormat(rawValue: logFormat) != nil else {
            throw ValidationError("--log.format: expected logfmt or json, got \"\(logFormat)\"")
        }
        guard demoUsers >= 1 else {
            throw ValidationError("--demo.users: must be at least 1, got \(demoUsers)")
        }
        guard demo || demoConfigOutput == nil else {
            throw ValidationError("--demo.write-config: only with --demo")
        }
    }

    static let logLevels: [String: Logger.Level] = ["debug": .debug, "info": .info, "warn": .warning, "error": .error]

    /// Logs to standard error at `level` in `format` (both validated before).
    static func bootstrapLogging(level: String, format: String) -> Logger {
        let level = logLevels[level] ?? .info
        let format = LogFormat(rawValue: format) ?? .logfmt
        LoggingSystem.bootstrap { StandardErrorLogHandler(label: $0, format: format, level: level) }
        return Logger(label: "usage-exporter")
    }

    func run() async throws {
        if printMetricFamilies {
            print(MetricReference.markdown, terminator: "")
            return
        }
        let logger = Self.bootstrapLogging(level: logLevel, format: logFormat)

        let environment = ProcessInfo.processInfo.environment
        HeapMemory.limitRetainedMemory(environment: environment)
        var problems: [String] = []
        var configuration = ExporterConfiguration()
        if !demo {
            do {
                configuration = try ConfigurationLoader.load(path: configFile, environment: environment)
            } catch {
                problems.append(error.description)
            }
        }
        var web = WebConfiguration()
        if let webConfigFile {
            do {
                web = try WebConfigurationLoader.load(path: webConfigFile, environment: environment)
                if let tls = web.tls { _ = try tls.makeServerConfiguration(file: webConfigFile) }
            } catch {
                problems.append(error.description)
            }
        }
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data((problems.joined(separator: "\n") + "\n").utf8))
            throw ExitCode(1)
        }
        if configCheck {
            if demo {
                print("--demo needs no configuration file")
            } else {
                print(
                    "\(configFile): valid (\(configuration.windsurf.count) Windsurf team(s), \(configuration.googleWorkspace.count) Google Workspace customer(s))"
                )
            }
            if let webConfigFile { print("\(webConfigFile): valid") }
            return
        }
        var options = ExporterOptions(
            listenAddress: ListenAddress(parsing: listenAddress)!,
            telemetryPath: telemetryPath,
            webConfiguration: web,
            webConfigurationFile: webConfigFile ?? "",
            environment: environment,
            stateFile: Self.stateFile(flag: stateFile, environment: environment)
        )
        if demo {
            try await runDemo(options: options, logger: logger)
            return
        }
        logger.info("starting", metadata: ["version": "\(ExporterVersion.version)", "config": "\(configFile)"])
        options.configurationFile = configFile
        try await serve(configuration, options: options, logger: logger)
    }

    func serve(_ configuration: ExporterConfiguration, options: ExporterOptions, logger: Logger) async throws {
        do {
            try await Exporter(configuration: configuration, options: options, logger: logger).run()
        } catch {
            logger.error("exporter stopped", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }

    /// Starts the simulated upstreams and points a generated configuration at them.
    func runDemo(options: ExporterOptions, logger: Logger) async throws {
        let demo = try DemoEnvironment(users: demoUsers)
        let configuration = try await demo.start()
        if let demoConfigOutput {
            do {
                try DemoEnvironment.yaml(for: configuration).write(toFile: demoConfigOutput, atomically: true, encoding: .utf8)
            } catch {
                await demo.stop()
                FileHandle.standardError.write(Data("--demo.write-config: cannot write \(demoConfigOutput): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            logger.info("wrote the demo's configuration", metadata: ["file": "\(demoConfigOutput)"])
        }
        logger.info(
            "demo mode: serving simulated upstreams on loopback",
            metadata: ["users": "\(demoUsers)", "windsurf": "\(demo.windsurf.baseURL)", "google": "\(demo.google.baseURL)"]
        )
        do {
            try await serve(configuration, options: options, logger: logger)
        } catch {
            await demo.stop()
            throw error
        }
        await demo.stop()
    }
}
