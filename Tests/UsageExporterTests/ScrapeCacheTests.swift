import Foundation
import NIOCore
import Synchronization
import Testing

@testable import UsageExporter

/// What a scrape shares with the scrapes before it (the plan's prepared buffers and gzip spans) is never
/// older than the data: every poll, reload and privacy change makes a new plan, and a scrape reads one
/// plan, so it never mixes two snapshots of a source. Every form is checked: text and OpenMetrics, plain
/// and gzip (decompressed by the system's gzip).
@Suite("Scrape cache")
struct ScrapeCacheTests {
    static let now = 1_800_000_000.0
    static let windsurf = SourceID(.windsurf, "acme")
    static let google = SourceID(.googleWorkspaceUser, "example.com")

    /// A snapshot of `source` whose every value (and `generation` label) is `generation`: fixed families
    /// large and small, a counter, ages and window counts.
    static func snapshot(_ source: SourceID, generation: Int, users: Int = 300) -> SourceSnapshot {
        let base = [("source", source.source), ("generation", String(generation))]
        var families: [FamilySamples] = []
        for index in 0..<12 {
            // Large (more than PreparedExposition.coalescingLimit) and small families alike.
            var builder = FixedSamplesBuilder(MetricFamily("cache_test_family_\(index)", help: "Family \(index)."))
            for user in 0..<(index % 3 == 0 ? users * 4 : 3) {
                builder.add(LabelSet(base + [("email", "user.\(user)@example.com")]), Double(generation))
            }
            families.append(builder.build()!)
        }
        var counter = FixedSamplesBuilder(MetricFamily("cache_test_events_total", help: "Events.", type: .counter))
        counter.add(LabelSet(base), Double(generation))
        families.append(counter.build()!)
        var stamps = FixedSamplesBuilder(MetricFamily("cache_test_last_timestamp_seconds", help: "Stamps."))
        for user in 0..<users {
            stamps.add(LabelSet(base + [("email", "user.\(user)@example.com")]), now - Double(generation) - Double(user))
        }
        let stampFamily = stamps.build()!
        families.append(stampFamily)
        if case .fixed(let lines) = stampFamily.body {
            families.append(
                FamilySamples(
                    family: MetricFamily("cache_test_age_seconds", help: "Ages."),
                    body: .ageSince(AgeSeries(name: "cache_test_age_seconds", ageOf: lines))
                )
            )
        }
        var counts = WindowCountSeries()
        counts.add(name: "cache_test_active", labels: LabelSet(base), window: 1e12, sortedTimestamps: Array(repeating: 0, count: generation))
        families.append(FamilySamples(family: MetricFamily("cache_test_active", help: "Active."), body: .countWithin(counts)))
        return SourceSnapshot(families: families, completedAt: now)
    }

    static func makeServer(_ store: MetricsStore) -> ExporterHTTPServer {
        ExporterHTTPServer(store: store, telemetryPath: "/metrics") { SelfMetrics.ReloadStatus(lastSucceeded: true, lastSuccessTime: now) }
    }

    /// The four forms of one scrape at `now`, as text, without the process families (read from /proc at each
    /// scrape, so they differ between the forms).
    static func scrapes(_ server: ExporterHTTPServer, now: Double = now) async throws -> [(form: String, text: String)] {
        var forms: [(String, String)] = []
        for format in [ExpositionFormat.text, .openMetrics] {
            for gzip in [false, true] {
                var body = ByteBuffer()
                for var buffer in try await server.renderMetrics(format: format, gzip: gzip, now: now) { body.writeBuffer(&buffer) }
                let text = gzip ? try gunzip(body) : String(buffer: body)
                let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.contains("process_") }
                forms.append(("\(format)\(gzip ? "+gzip" : "")", kept.joined(separator: "\n")))
            }
        }
        return forms
    }

    /// The generations of `source` a scrape shows, from the `generation` label of its series.
    static func generations(_ text: String, of source: SourceID) -> Set<String> {
        var found: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("cache_test_") && line.contains("source=\"\(source.source)\"") {
            guard let range = line.range(of: "generation=\"") else { continue }
            found.insert(String(line[range.upperBound...].prefix { $0 != "\"" }))
        }
        return found
    }

    /// A store (and its server) whose two sources have published their snapshot of `generation`.
    static func storeWithBothSources(
        generation: Int,
        users: Int = 300
    ) -> (store: MetricsStore, server: ExporterHTTPServer, windsurf: PollRun, google: PollRun) {
        let store = MetricsStore()
        let windsurf = PollRun(source: Self.windsurf, generation: 1)
        let google = PollRun(source: Self.google, generation: 2)
        store.install(runs: [windsurf, google], maxStale: .seconds(3600))
        store.publish(snapshot(Self.windsurf, generation: generation, users: users), for: windsurf, duration: 1)
        store.publish(snapshot(Self.google, generation: generation, users: users), for: google, duration: 1)
        return (store, makeServer(store), windsurf, google)
    }

    @Test("every poll, reload and privacy change reaches every form of the next scrape; gzip and plain say the same")
    func invalidation() async throws {
        let (store, server, windsurf, google) = Self.storeWithBothSources(generation: 1)

        func expectEveryForm(_ expected: [SourceID: Set<String>], _ step: String) async throws {
            let forms = try await Self.scrapes(server)
            for (form, text) in forms {
                for (source, generations) in expected {
                    #expect(Self.generations(text, of: source) == generations, "\(step): \(source) in \(form)")
                }
            }
            // The same lines, with and without gzip, in each format.
            #expect(forms[1].text == forms[0].text, "\(step): text gzip")
            #expect(forms[3].text == forms[2].text, "\(step): OpenMetrics gzip")
            // A counter's OpenMetrics header names the family without `_total`.
            let counters = expected.values.contains { !$0.isEmpty }
            #expect(forms[0].text.contains("# TYPE cache_test_events_total counter\n") == counters, "\(step)")
            #expect(forms[2].text.contains("# TYPE cache_test_events counter\n") == counters, "\(step)")
            #expect(!forms[2].text.contains("# TYPE cache_test_events_total"), "\(step)")
            #expect(forms[2].text.hasSuffix("# EOF\n"), "\(step)")
        }
        try await expectEveryForm([Self.windsurf: ["1"], Self.google: ["1"]], "first polls")
        // The ages and counts are computed for the scrape's instant from the cached plan.
        let later = try await Self.scrapes(server, now: Self.now + 100)[1].text
        #expect(later.contains(#"cache_test_age_seconds{source="acme",generation="1",email="user.0@example.com"} 101"#))

        // A poll.
        store.publish(Self.snapshot(Self.windsurf, generation: 2), for: windsurf, duration: 1)
        try await expectEveryForm([Self.windsurf: ["2"], Self.google: ["1"]], "a poll of acme")
        // A poll of a run that a reload superseded changes nothing.
        #expect(!store.publish(Self.snapshot(Self.windsurf, generation: 9), for: PollRun(source: Self.windsurf, generation: 0), duration: 1))
        try await expectEveryForm([Self.windsurf: ["2"], Self.google: ["1"]], "a superseded poll")

        // A reload that removes a source.
        store.install(runs: [windsurf], maxStale: .seconds(3600))
        try await expectEveryForm([Self.windsurf: ["2"], Self.google: []], "a reload without the Workspace customer")

        // A reload with new privacy settings: every source's data goes at once, until each polls again.
        let restarted = PollRun(source: Self.windsurf, generation: 3)
        store.install(runs: [restarted, google], maxStale: .seconds(3600), dropSnapshots: true)
        try await expectEveryForm([Self.windsurf: [], Self.google: []], "a privacy change")
        store.publish(Self.snapshot(Self.windsurf, generation: 3), for: restarted, duration: 1)
        try await expectEveryForm([Self.windsurf: ["3"], Self.google: []], "the first poll after it")

        // A source failing for longer than max_stale.
        store.recordFailure(CollectorError(.upstream, "down"), for: restarted, at: Self.now, duration: 1)
        let stale = try await Self.scrapes(server, now: Self.now + 3601)
        for (form, text) in stale { #expect(Self.generations(text, of: Self.windsurf).isEmpty, "stale: \(form)") }
    }

    @Test("a scrape during polls never mixes two snapshots of one source, in any form")
    func noMixedSnapshots() async throws {
        let (store, server, run, _) = Self.storeWithBothSources(generation: 0, users: 200)
        let snapshots = (0..<6).map { Self.snapshot(Self.windsurf, generation: $0, users: 200) }
        let polling = Counters()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var generation = 0
                while polling.running.load(ordering: .relaxed) {
                    generation = (generation + 1) % snapshots.count
                    store.publish(snapshots[generation], for: run, duration: 1)
                    polling.published.add(1, ordering: .relaxed)
                    await Task.yield()
                }
            }
            var scrapes = 0
            var seen: Set<String> = []
            // Until the polls have replaced the plan many times while scrapes were being written.
            while scrapes < 16 || polling.published.load(ordering: .relaxed) < 16 {
                for (form, text) in try await Self.scrapes(server) {
                    let generations = Self.generations(text, of: Self.windsurf)
                    #expect(generations.count == 1, "\(form) mixed \(generations.sorted())")
                    seen.formUnion(generations)
                    #expect(Self.generations(text, of: Self.google) == ["0"], "\(form)")
                }
                scrapes += 1
            }
            polling.running.store(false, ordering: .relaxed)
            try await group.waitForAll()
            #expect(seen.count > 1, "the scrapes saw several polls")
        }
    }
}

/// Whether the publishing task should go on, and how often it published.
private final class Counters: Sendable {
    let running = Atomic(true)
    let published = Atomic(0)
}
