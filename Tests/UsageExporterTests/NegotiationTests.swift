import Foundation
import NIOCore
import Testing
import UsageExporterSimulator

@testable import UsageExporter

/// Decompresses with the system's gzip, an implementation independent of the exporter's.
func gunzip(_ data: ByteBuffer) throws -> String {
    String(decoding: try filter(through: "/bin/gzip", ["-dc"], input: Data(buffer: data)), as: UTF8.self)
}

@Suite("Content negotiation and gzip")
struct NegotiationTests {
    @Test(
        "Accept chooses OpenMetrics only when preferred",
        arguments: [
            (nil, ExpositionFormat.text),
            ("text/plain", .text),
            ("*/*", .text),
            ("application/openmetrics-text", .openMetrics),
            ("application/openmetrics-text; version=1.0.0; charset=utf-8", .openMetrics),
            // What Prometheus 2.x sends.
            (
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
                .openMetrics
            ),
            ("text/plain;version=0.0.4;q=1,application/openmetrics-text;q=0.9", .text),
            ("application/openmetrics-text;q=0.2, text/plain;q=0.8", .text),
            ("application/openmetrics-text;q=0", .text),
            ("text/plain, application/openmetrics-text", .text),
            ("application/openmetrics-text, text/plain", .openMetrics),
            ("application/openmetrics-text;version=2.0.0", .text),
            ("application/json", .text),
        ] as [(String?, ExpositionFormat)]
    )
    func accept(header: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: header) == expected)
    }

    @Test(
        "Accept-Encoding allows gzip",
        arguments: [
            (nil, false), ("gzip", true), ("gzip, deflate, br", true), ("deflate", false), ("gzip;q=0", false), ("*", true),
            ("*;q=0", false), ("identity", false), ("br;q=1, gzip;q=0.5", true), ("GZIP", true), ("*, gzip;q=0", false),
        ] as [(String?, Bool)]
    )
    func acceptEncoding(header: String?, expected: Bool) {
        #expect(ExpositionFormat.acceptsGzip(header) == expected)
    }

    @Test("one gzip stream from separately compressed pieces decompresses to their concatenation")
    func gzipAssembly() throws {
        let parts = ["first part\n", "", String(repeating: "repetitive line 12345\n", count: 5000), "é 王 🚀\n"]
        let pieces = try parts.enumerated().map { index, text in
            try GzipStream.piece(ByteBuffer(string: text), level: index % 2 == 0 ? GzipStream.fixedLevel : GzipStream.scrapeTimeLevel)
        }
        var stream = ByteBuffer()
        for var buffer in GzipStream.assemble(pieces) { stream.writeBuffer(&buffer) }
        #expect(stream.readableBytes < parts.joined().utf8.count / 10)
        #expect(try gunzip(stream) == parts.joined())
        var single = ByteBuffer()
        for var buffer in GzipStream.assemble([try GzipStream.piece(ByteBuffer(string: "x"), level: 6)]) { single.writeBuffer(&buffer) }
        #expect(try gunzip(single) == "x")
    }

    @Test("the negotiation matrix through the real server: type, encoding, and a body that decodes and parses")
    func matrix() async throws {
        let teams = WindsurfDatasetGenerator(seed: 4).demoTeams(users: 30, now: Date().timeIntervalSince1970)
        let harness = try await ExporterHarness.start(teams: teams) { baseURL in
            ExporterConfiguration(windsurf: ExporterHarness.teamConfigurations(teams, baseURL: baseURL, interval: .seconds(60)))
        }
        try await withAsyncCleanup {
            try await harness.waitUntilReady()
            let plain = try await harness.request("/metrics")
            let reference = ParsedExposition(plain.body)

            for accept in [nil, "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"] {
                for encoding in [nil, "gzip", "gzip;q=0, identity"] {
                    var headers: [(String, String)] = []
                    if let accept { headers.append(("Accept", accept)) }
                    if let encoding { headers.append(("Accept-Encoding", encoding)) }
                    let response = try await harness.requestBytes("/metrics", headers: headers)
                    let openMetrics = accept != nil
                    let gzip = encoding == "gzip"
                    #expect(response.status == 200)
                    #expect(response.headers.first(name: "Content-Type") == (openMetrics ? ExpositionFormat.openMetrics : .text).contentType)
                    #expect(response.headers.first(name: "Content-Encoding") == (gzip ? "gzip" : nil))
                    #expect(response.headers.first(name: "Vary")?.contains("Accept-Encoding") == true)
                    #expect(Int(response.headers.first(name: "Content-Length") ?? "") == response.body.readableBytes)
                    let text = gzip ? try gunzip(response.body) : String(buffer: response.body)
                    if openMetrics {
                        #expect(text.hasSuffix("# EOF\n"))
                        #expect(text.contains("# TYPE usage_exporter_collector_errors counter\n"))
                        #expect(text.contains("# TYPE process_cpu_seconds counter\n"))
                        #expect(!text.contains("# TYPE usage_exporter_collector_errors_total"))
                    } else {
                        #expect(!text.contains("# EOF"))
                        #expect(text.contains("# TYPE usage_exporter_collector_errors_total counter\n"))
                    }
                    let parsed = ParsedExposition(text.replacingOccurrences(of: "# EOF\n", with: ""))
                    // The same Windsurf series with the same values, in every form.
                    let windsurf = parsed.samples.filter { $0.name.hasPrefix("windsurf_") && !$0.name.contains("age") }
                    #expect(windsurf == reference.samples.filter { $0.name.hasPrefix("windsurf_") && !$0.name.contains("age") })
                    #expect(windsurf.count > 100)
                }
            }
        } cleanup: {
            await harness.stop()
        }
    }
}
