import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import UsageExporter
import UsageExporterSimulator

/// Times the exporter's hot paths in-process for the demo's workload at several sizes and prints a table:
/// decoding the UserPageAnalytics answers and building the snapshot, decoding one analytics poll's answers
/// (fetched once from the simulator over loopback) and building its families, compressing the per-poll part
/// once, and rendering a scrape in plain text and in gzip, analytics families included; then the
/// compressors side by side on the same text (``CompressionComparison``).
///
/// Usage: `swift run -c release usage-exporter-bench [N ...]` (default 1000 10000 100000), or
/// `usage-exporter-bench simulators N DIRECTORY` to serve the demo's upstreams apart (see ``DemoSimulators``).
@main
struct Benchmark {
    struct Row {
        let users: Int
        let series: Int
        let jsonBytes: Int
        let decodeAndBuild: Duration
        let analyticsJSONBytes: Int
        let analyticsDecodeAndBuild: Duration
        let compressOnce: Duration
        let plainRender: Duration
        let gzipRender: Duration
        /// Plain render while another thread decodes and builds a snapshot, as during a poll.
        let plainRenderDuringPoll: Duration
        let plainBytes: Int
        let gzipBytes: Int
    }

    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "simulators" {
            guard arguments.count == 3, let users = Int(arguments[1]), users >= 1 else {
                throw BenchmarkError("usage: usage-exporter-bench simulators USERS DIRECTORY")
            }
            try await DemoSimulators.run(users: users, directory: arguments[2])
            return
        }
        let sizes = arguments.compactMap { Int($0) }
        var rows: [Row] = []
        var comparisons: [CompressionComparison] = []
        for users in sizes.isEmpty ? [1000, 10_000, 100_000] : sizes {
            let (row, comparison) = try await measure(users: users)
            rows.append(row)
            comparisons.append(comparison)
            print(format(row))
        }
        print()
        print(header)
        for row in rows { print(format(row)) }
        print()
        print("Compression, one thread (medians): the ages per scrape, their CRC-32, the fixed lines per poll")
        print(CompressionComparison.header)
        for comparison in comparisons { print(comparison.row) }
    }

    static let header = """
        users    series   json MB  decode+build ms  analytics MB  analytics ms  gzip-once ms  plain ms  gzip ms  plain during poll ms  plain MB  gzip MB
        -------  -------  -------  ---------------  ------------  ------------  ------------  --------  -------  --------------------  --------  -------
        """

    static func format(_ row: Row) -> String {
        func ms(_ duration: Duration) -> String { String(format: "%.1f", duration.seconds * 1000) }
        func mb(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / 1_048_576) }
        let columns = [
            String(row.users), String(row.series), mb(row.jsonBytes), ms(row.decodeAndBuild), mb(row.analyticsJSONBytes),
            ms(row.analyticsDecodeAndBuild), ms(row.compressOnce),
            ms(row.plainRender), ms(row.gzipRender), ms(row.plainRenderDuringPoll), mb(row.plainBytes), mb(row.gzipBytes),
        ]
        let widths = [7, 7, 7, 15, 12, 12, 12, 8, 7, 20, 8, 7]
        return zip(columns, widths).map { $0.padding(toLength: max($1, $0.count), withPad: " ", startingAt: 0) }.joined(separator: "  ")
    }

    /// The median of `repetitions` runs of `body`.
    static func median(_ repetitions: Int, _ body: () throws -> Void) rethrows -> Duration {
        var times: [Duration] = []
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try body()
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[times.count / 2]
    }

    /// The median of `repetitions` runs of an asynchronous `body`.
    static func median(_ repetitions: Int, _ body: () async throws -> Void) async rethrows -> Duration {
        var times: [Duration] = []
        for _ in 0..<repetitions {
            let start = ContinuousClock.now
            try await body()
            times.append(ContinuousClock.now - start)
        }
        return times.sorted()[times.count / 2]
    }

    static func measure(users: Int) async throws -> (Row, CompressionComparison) {
        let now = Date().timeIntervalSince1970
        let teams = WindsurfDatasetGenerator().demoTeams(users: users, now: now)
        let pages: [(team: String, group: String?, json: Data)] = teams.flatMap { team in
            (team.groups.isEmpty ? [nil] : team.groups.map(Optional.some)).map { group in
                (team.name, group, Data(team.userPageJSON(group: group).utf8))
            }
        }
        let jsonBytes = pages.reduce(0) { $0 + $1.json.count }
        let repetitions = users >= 100_000 ? 3 : 7

        // Decode every answer and build the snapshot, as a poll does.
        var familiesByTeam: [[FamilySamples]] = []
        let decodeAndBuild = try median(repetitions) {
            familiesByTeam = try teams.map { team in
                let builder = WindsurfSnapshotBuilder(team: team.name)
                let decoded = try pages.filter { $0.team == team.name }.map { page in
                    (page.group, try JSONDecoder().decode(WindsurfUserPage.self, from: page.json))
                }
                return builder.userFamilies(pages: decoded).families
            }
            _ = ExpositionPlan(families: familiesByTeam.flatMap { $0 })
        }
        let analytics = try await analyticsAnswers(teams: teams, now: now)
        let analyticsJSONBytes = analytics.reduce(0) { $0 + $1.bytes }
        var analyticsFamilies: [[FamilySamples]] = []
        let analyticsDecodeAndBuild = try median(repetitions) {
            analyticsFamilies = try teams.map { team in
                let answers = try analytics.filter { $0.team == team.name }.map { fetched in
                    WindsurfAnalyticsSnapshotBuilder.Answer(
                        group: fetched.group,
                        window: fetched.window,
                        cascade: try JSONDecoder().decode(WindsurfCascadeAnalytics.self, from: fetched.cascade),
                        custom: try JSONDecoder().decode(WindsurfCustomAnalytics.self, from: fetched.custom),
                        users: WindsurfAPIKeyDirectory(try JSONDecoder().decode(WindsurfAPIKeyPage.self, from: fetched.keys), labeler: EmailLabeler())
                    )
                }
                return try WindsurfAnalyticsSnapshotBuilder(team: team.name).families(answers).families
            }
        }
        familiesByTeam += analyticsFamilies
        let families = familiesByTeam.flatMap { $0 }
        // The per-poll gzip work: fresh lines, as a new poll brings, compressed once.
        let compressOnce = median(repetitions) {
            let fresh = families.map { samples in
                guard case .fixed(let lines) = samples.body else { return samples }
                return FamilySamples(family: samples.family, body: .fixed(FixedLines(lines.bytes)))
            }
            ExpositionPlan(families: fresh).prepare()
        }

        // Scrapes: through the server's rendering, from a store holding the snapshot.
        let store = MetricsStore()
        let ids = teams.map { SourceID(.windsurf, $0.name) } + teams.map { SourceID(.windsurfAnalytics, $0.name) }
        let runs = ids.map { PollRun(source: $0, generation: 1) }
        store.install(runs: runs, maxStale: .seconds(86_400))
        for index in runs.indices {
            store.publish(SourceSnapshot(families: familiesByTeam[index], completedAt: now), for: runs[index], duration: 0)
        }
        let server = ExporterHTTPServer(store: store, telemetryPath: "/metrics") {
            SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: now)
        }
        var plainBytes = 0
        var gzipBytes = 0
        let scrapes = users >= 100_000 ? 5 : 31
        let plainRender = try await median(scrapes) {
            plainBytes = try await server.renderMetrics(format: .text, gzip: false).reduce(0) { $0 + $1.readableBytes }
        }
        let gzipRender = try await median(scrapes) {
            gzipBytes = try await server.renderMetrics(format: .text, gzip: true).reduce(0) { $0 + $1.readableBytes }
        }
        // The same scrapes while a poll decodes and builds on another thread.
        let polling = Mutex(true)
        let poller = Thread {
            while polling.withLock({ $0 }) {
                for team in teams {
                    let builder = WindsurfSnapshotBuilder(team: team.name)
                    let decoded = pages.filter { $0.team == team.name }.compactMap { page in
                        (try? JSONDecoder().decode(WindsurfUserPage.self, from: page.json)).map { (page.group, $0) }
                    }
                    _ = ExpositionPlan(families: builder.userFamilies(pages: decoded).families)
                }
            }
        }
        poller.start()
        let plainRenderDuringPoll = try await median(scrapes) {
            _ = try await server.renderMetrics(format: .text, gzip: false)
        }
        polling.withLock { $0 = false }

        var text = ByteBuffer()
        for var buffer in try await server.renderMetrics() { text.writeBuffer(&buffer) }
        let series = String(buffer: text).split(separator: "\n").filter { !$0.hasPrefix("#") }.count
        let comparison = try CompressionComparison.measure(users: users, families: families, now: now, repetitions: repetitions)
        let row = Row(
            users: users,
            series: series,
            jsonBytes: jsonBytes,
            decodeAndBuild: decodeAndBuild,
            analyticsJSONBytes: analyticsJSONBytes,
            analyticsDecodeAndBuild: analyticsDecodeAndBuild,
            compressOnce: compressOnce,
            plainRender: plainRender,
            gzipRender: gzipRender,
            plainRenderDuringPoll: plainRenderDuringPoll,
            plainBytes: plainBytes,
            gzipBytes: gzipBytes
        )
        return (row, comparison)
    }

    /// One analytics poll's answers for every team, scope and window (7d and 30d), as the simulator sends
    /// them: the user page (for the api_key join), CascadeAnalytics and the custom Analytics API.
    struct FetchedAnalytics {
        let team: String
        let group: String?
        let window: WindsurfAnalyticsWindow
        let keys: Data
        let cascade: Data
        let custom: Data
        var bytes: Int { keys.count + cascade.count + custom.count }
    }

    static func analyticsAnswers(teams: [SimulatedWindsurfTeam], now: Double) async throws -> [FetchedAnalytics] {
        let simulator = WindsurfSimulator(teams: teams)
        let baseURL = try await simulator.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func post(_ path: String, _ body: Data) async throws -> Data {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
            let response = try await client.execute(request, timeout: .seconds(120))
            guard response.status == .ok else { throw BenchmarkError("\(path) answered \(response.status)") }
            return Data(buffer: try await response.body.collect(upTo: 1 << 30))
        }
        var fetched: [FetchedAnalytics] = []
        do {
            for team in teams {
                let api = WindsurfAPI(
                    baseURL: baseURL,
                    serviceKey: Secret(team.serviceKey),
                    timeout: .seconds(120),
                    client: UpstreamClient(httpClient: client)
                )
                for group in team.groups.isEmpty ? [nil] : team.groups.map(Optional.some) {
                    let keys = Data(team.userPageJSON(group: group).utf8)
                    for days in [7, 30] {
                        let window = WindsurfAnalyticsWindow(days: days, now: now)
                        fetched.append(
                            FetchedAnalytics(
                                team: team.name,
                                group: group,
                                window: window,
                                keys: keys,
                                cascade: try await post("/api/v1/CascadeAnalytics", try api.cascadeAnalyticsRequest(group: group, window: window)),
                                custom: try await post("/api/v1/Analytics", try api.customAnalyticsRequest(group: group, window: window))
                            )
                        )
                    }
                }
            }
        } catch {
            try? await client.shutdown()
            await simulator.stop()
            throw error
        }
        try await client.shutdown()
        await simulator.stop()
        return fetched
    }

    struct BenchmarkError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
