import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

/// `usage-exporter backfill` as a user runs it: its help, its errors and exit codes, and a run against the demo's
/// simulators whose files hold no secret.
@Suite("Backfill binary", .serialized, .awayFromDayBoundaries)
struct BackfillBinaryTests {
    let directory = TemporaryDirectory()

    @Test("--help lists every flag; the exporter's help points to the subcommand")
    func help() async throws {
        let help = try await ExporterProcess.run(["backfill", "--help"])
        #expect(help.code == 0)
        for flag in [
            "--config.file", "--backfill.start", "--backfill.end", "--backfill.step", "--backfill.label", "--backfill.block-duration",
            "--backfill.per-user", "--backfill.output-dir", "--backfill.dry-run", "--backfill.google-lag", "--backfill.concurrency",
        ] {
            #expect(help.output.contains(flag), "\(flag)")
        }
        #expect(help.output.contains("usage-exporter backfill"))
        let exporterHelp = try await ExporterProcess.run(["--help"])
        #expect(exporterHelp.code == 0 && exporterHelp.output.contains("usage-exporter backfill"))
    }

    @Test("bad flags and a bad configuration exit 1 with one line each; a configuration without history says so")
    func errors() async throws {
        let invalid = directory.write("bad.yml", "windsurf: {name: x}\n")
        let bad = try await ExporterProcess.run(["backfill", "--config.file", invalid, "--backfill.start", "2026-13-40", "--backfill.step", "0s"])
        #expect(bad.code == 1)
        #expect(
            bad.error.split(separator: "\n").map(String.init) == [
                "--backfill.step: expected whole seconds between 1s and 1d in Prometheus syntax (5m, 1m, 30s), got \"0s\"",
                "--backfill.start: expected a date (2026-11-01), an RFC 3339 time (2026-11-01T12:00:00Z) or a duration before the end (30d), got \"2026-13-40\"",
                "--backfill.output-dir: required: the directory the OpenMetrics files, the manifest and the answer cache go to",
                "\(invalid):1: windsurf: must be a list, found a mapping",
            ]
        )
        let key = directory.write("key", "secret-service-key\n")
        let noHistory = directory.write("present.yml", "windsurf:\n  - name: acme\n    service_key_file: \(key)\n")
        let nothing = try await ExporterProcess.run(
            ["backfill", "--config.file", noHistory, "--backfill.start", "1d", "--backfill.output-dir", directory.file("out")]
        )
        #expect(nothing.code == 1)
        #expect(nothing.error.contains("backfill: nothing to backfill") && !nothing.error.contains("secret-service-key"))
    }

    @Test("a run against the demo's simulators: exit 0, a report, the files and the manifest; no service key or apiKey in any output or file")
    func run() async throws {
        let demo = try DemoEnvironment(users: 10)
        let configuration = try await demo.start()
        try await withAsyncCleanup {
            let file = directory.write("demo.yml", DemoEnvironment.yaml(for: configuration))
            let output = directory.file("history")
            let result = try await ExporterProcess.run(
                [
                    "backfill", "--config.file", file, "--backfill.start", "2d", "--backfill.step", "15m", "--backfill.label", "job=usage-exporter",
                    "--backfill.per-user", "--backfill.output-dir", output, "--backfill.block-duration", "18h",
                ],
                timeout: .seconds(120)
            )
            #expect(result.code == 0, "\(result.error)")
            #expect(result.output.contains("wrote ") && result.output.contains("--storage.tsdb.retention.time=4d"))
            #expect(result.output.contains("promtool tsdb create-blocks-from openmetrics --max-block-duration=18h"))
            #expect(result.error.contains("backfill: dates "))
            #expect(result.error.contains("last_over_time(metric[15m])"))
            let names = try FileManager.default.contentsOfDirectory(atPath: output)
            #expect(names.contains("manifest.json") && names.contains { $0.hasSuffix("-18h.om") })
            let secrets = configuration.windsurf.map(\.serviceKey.value) + demo.windsurf.teams.flatMap { $0.users.map(\.apiKey) }
            var texts = [result.output, result.error]
            let enumerator = FileManager.default.enumerator(atPath: output)
            while let name = enumerator?.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let path = (output as NSString).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                    texts.append(try String(contentsOfFile: path, encoding: .utf8))
                }
            }
            #expect(texts.count > 6)
            for secret in secrets {
                #expect(!texts.contains { $0.contains(secret) })
            }
        } cleanup: {
            await demo.stop()
        }
    }
}
