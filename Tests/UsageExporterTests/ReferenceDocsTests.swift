import Foundation
import Testing
import UsageExporterSimulator

@testable import UsageExporter

/// The reference that cannot drift: docs/metrics.md, docs/command-line.md and the man page are what the code
/// says (scripts/generate-reference --check), and the demo serves exactly the documented families with the
/// documented labels.
@Suite("Reference docs", .serialized)
struct ReferenceDocsTests {
    @Test("docs/metrics.md, docs/command-line.md and docs/usage-exporter.1 are what scripts/generate-reference makes from the binary")
    func generatedFilesAreCurrent() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.packageRoot.appendingPathComponent("scripts/generate-reference").path, "--check"]
        process.environment = ProcessInfo.processInfo.environment.merging(["BINARY": TestPaths.binary.path]) { _, new in new }
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(message)")
        let metrics = try String(contentsOf: TestPaths.packageRoot.appendingPathComponent("docs/metrics.md"), encoding: .utf8)
        #expect(metrics == MetricReference.markdown)
    }

    @Test("every family is listed once, with a help text")
    func familiesOnce() {
        let names = MetricReference.families.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(MetricReference.families.allSatisfy { !$0.help.isEmpty })
        for family in WindsurfAnalyticsFamilies.all + WindsurfConsumptionFamilies.all + SelfMetrics.all + ProcessMetrics.all {
            #expect(names.contains(family.name), "\(family.name)")
        }
    }

    @Test("the demo serves every documented family and no other, each with the documented labels (Google parameters by their naming rule)")
    func demoMatchesTheReference() async throws {
        let demo = try DemoEnvironment(users: 12)
        let configuration = try await demo.start()
        let harness = try await ExporterHarness.start(windsurf: nil, google: nil, configuration: configuration)
        try await withAsyncCleanup {
            let metrics = try await harness.waitForMetrics(timeout: .seconds(60), "every source polled once") { metrics in
                let successes = metrics.samples("usage_exporter_collector_success")
                return !successes.isEmpty && successes.allSatisfy { $0.value == 1 }
                    && successes.count == configuration.windsurf.count * 4 + configuration.googleWorkspace.count * 2
            }
            let documented = Dictionary(uniqueKeysWithValues: MetricReference.families.map { ($0.name, $0) })
            var served: [String: Set<String>] = [:]
            for sample in metrics.samples {
                // A counter's samples and its family share the name here (text format, `_total` kept).
                served[sample.name, default: []].formUnion(sample.labels.keys)
            }
            for (name, labels) in served.sorted(by: { $0.key < $1.key }) {
                if let family = documented[name] {
                    #expect(labels == Set(family.labels), "\(name): served \(labels.sorted()), documented \(family.labels)")
                } else {
                    // Named from a Workspace parameter: google_workspace_<app>_<param>…, labelled customer (and email).
                    #expect(name.hasPrefix("google_workspace_") && labels.contains("customer"), "\(name) is not in docs/metrics.md")
                }
            }
            for name in documented.keys.sorted() {
                #expect(served[name] != nil, "\(name) is documented but the demo does not serve it")
            }
        } cleanup: {
            await harness.stop()
            await demo.stop()
        }
    }
}
