import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import UsageExporterSimulator

@testable import UsageExporter

#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus (Debian's, `/usr/bin/prometheus` or `$PROMETHEUS`) scraping the exporter as it does
/// in production: it asks for OpenMetrics with gzip, and must read the whole body, spliced from pieces
/// compressed at different times by different encoders, to its last sample.
@Suite("Prometheus scrapes the exporter", .serialized)
struct PrometheusScrapeTests {
    static let prometheus = ProcessInfo.processInfo.environment["PROMETHEUS"] ?? "/usr/bin/prometheus"

    /// A free loopback port, from the kernel.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ExporterHarness.HarnessError("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ExporterHarness.HarnessError("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The value of an instant query's single result, or nil while it has none.
    static func query(_ expression: String, port: Int) async throws -> Double? {
        var components = URLComponents(string: "http://127.0.0.1:\(port)/api/v1/query")!
        components.queryItems = [URLQueryItem(name: "query", value: expression)]
        let response = try await TestHTTPClient.shared.execute(HTTPClientRequest(url: components.url!.absoluteString), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        guard response.status == .ok,
            let json = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
            let data = json["data"] as? [String: Any], let result = data["result"] as? [[String: Any]], result.count == 1,
            let value = result[0]["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    @Test("Prometheus (OpenMetrics with gzip, as it asks) and Python's gzip read the whole gzip body, to its last sample")
    func realPrometheusAndPython() async throws {
        #expect(FileManager.default.isExecutableFile(atPath: Self.prometheus), "install Debian's prometheus package, or set PROMETHEUS")
        let teams = WindsurfDatasetGenerator(seed: 11).demoTeams(users: 400, now: Date().timeIntervalSince1970)
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(3600)))
        }
        let directory = TemporaryDirectory()
        let server = Process()
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let plain = ParsedExposition(try await harness.request("/metrics").body)
            let ages = plain.samples.filter { $0.name == "windsurf_user_last_usage_age_seconds" }.count
            #expect(ages > 100)

            // Python's gzip module, on the body as the exporter sends it to Prometheus.
            let openMetrics = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"
            let gzip = try await harness.requestBytes("/metrics", headers: [("Accept-Encoding", "gzip"), ("Accept", openMetrics)])
            #expect(gzip.headers.first(name: "Content-Encoding") == "gzip")
            let script = "import gzip, sys; sys.stdout.buffer.write(gzip.decompress(sys.stdin.buffer.read()))"
            let text = String(
                decoding: try filter(through: "/usr/bin/env", ["python3", "-c", script], input: Data(buffer: gzip.body)),
                as: UTF8.self
            )
            #expect(text.hasSuffix("# EOF\n"))
            let decoded = ParsedExposition(text.replacingOccurrences(of: "# EOF\n", with: ""))
            // The same series; the same values but for what moves with the clock (ages, the process).
            func series(_ exposition: ParsedExposition) -> [String] {
                exposition.samples.map { "\($0.name)\($0.labels.sorted { $0.key < $1.key })" }.sorted()
            }
            #expect(series(decoded) == series(plain))
            func steady(_ exposition: ParsedExposition) -> [ParsedExposition.Sample] {
                exposition.samples.filter { !$0.name.hasSuffix("_age_seconds") && !$0.name.hasPrefix("process_") }
            }
            #expect(steady(decoded) == steady(plain))

            // Prometheus, scraping every second.
            let prometheusPort = try Self.freePort()
            let configuration = directory.write(
                "prometheus.yml",
                """
                global: {scrape_interval: 1s, scrape_timeout: 1s}
                scrape_configs:
                  - job_name: usage-exporter
                    static_configs: [{targets: ["127.0.0.1:\(harness.port)"]}]
                """
            )
            server.executableURL = URL(fileURLWithPath: Self.prometheus)
            server.arguments = [
                "--config.file=\(configuration)", "--storage.tsdb.path=\(directory.file("data"))",
                "--web.listen-address=127.0.0.1:\(prometheusPort)", "--log.level=warn",
            ]
            server.standardOutput = FileHandle(forWritingAtPath: directory.write("prometheus.log", ""))
            server.standardError = server.standardOutput
            try server.run()
            var scraped: Double?
            try await waitUntil("Prometheus has scraped the exporter", timeout: .seconds(60)) {
                guard server.isRunning else { throw ExporterHarness.HarnessError("prometheus exited") }
                scraped = try? await Self.query(#"scrape_samples_scraped{job="usage-exporter"}"#, port: prometheusPort)
                return scraped != nil
            }
            #expect(try await Self.query(#"up{job="usage-exporter"}"#, port: prometheusPort) == 1)
            // Every sample of the body, the ages spliced in the middle and the process families at the end.
            #expect(scraped == Double(plain.samples.count))
            #expect(try await Self.query("count(windsurf_user_last_usage_age_seconds)", port: prometheusPort) == Double(ages))
            #expect(
                try await Self.query("count(windsurf_user_info)", port: prometheusPort)
                    == Double(plain.samples.filter { $0.name == "windsurf_user_info" }.count)
            )
            #expect(try await Self.query("count(process_start_time_seconds)", port: prometheusPort) == 1)
        } cleanup: {
            if server.isRunning {
                server.terminate()
                server.waitUntilExit()
            }
            await harness.stop()
        }
    }
}
