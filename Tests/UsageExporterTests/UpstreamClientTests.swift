import AsyncHTTPClient
import Foundation
import Testing
import UsageExporter
import UsageExporterSimulator

@Suite("Upstream client")
struct UpstreamClientTests {
    @Test("an answer over the size cap fails with reason upstream, counted by its status code")
    func bodySizeCap() async throws {
        let team = WindsurfDatasetGenerator().team(name: "acme", serviceKey: "k", groups: [], users: 50, now: Date().timeIntervalSince1970)
        let simulator = WindsurfSimulator(teams: [team])
        let baseURL = try await simulator.start()
        try await withAsyncCleanup {
            let client = UpstreamClient(httpClient: TestHTTPClient.shared, maximumBodySize: 4096)
            let api = WindsurfAPI(baseURL: baseURL, serviceKey: Secret("k"), timeout: .seconds(5), client: client)
            let codes = CodeRecorder()
            do {
                _ = try await api.userPage(group: nil, start: 0, end: Date().timeIntervalSince1970, record: codes.record)
                Issue.record("an answer over the cap was accepted")
            } catch let error as CollectorError {
                #expect(error.reason == .upstream)
                #expect(!error.isRetryable)
                #expect(error.message == "answer larger than the 4096-byte limit from \(baseURL)/api/v1/UserPageAnalytics")
            }
            #expect(codes.codes == ["200"])
            // Under the cap, the same request succeeds.
            let roomy = WindsurfAPI(
                baseURL: baseURL,
                serviceKey: Secret("k"),
                timeout: .seconds(5),
                client: UpstreamClient(httpClient: TestHTTPClient.shared)
            )
            #expect(try await roomy.userPage(group: nil, start: 0, end: Date().timeIntervalSince1970, record: codes.record).users.count == 50)
        } cleanup: {
            await simulator.stop()
        }
    }

    final class CodeRecorder: @unchecked Sendable {
        private let lock = NSLock()
        private var recorded: [String] = []
        func record(_ code: String) {
            lock.lock()
            recorded.append(code)
            lock.unlock()
        }
        var codes: [String] {
            lock.lock()
            defer { lock.unlock() }
            return recorded
        }
    }
}
