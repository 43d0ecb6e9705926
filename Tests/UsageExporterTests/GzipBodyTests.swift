import Foundation
import NIOCore
import Testing

@testable import UsageExporter

/// The pieces a gzip scrape is made of: the age encoder, the value formatter it shares with plain scrapes,
/// and whole bodies, each checked by decompressing with the system's gzip, which knows nothing of how they
/// were made.
@Suite("Gzip bodies")
struct GzipBodyTests {
    /// How `ExpositionText.writeMilliseconds` wrote values before it had a formatter of its own: the
    /// reference the formatter must match byte for byte.
    static func referenceMilliseconds(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 9.0e12 else {
            var buffer = ByteBuffer()
            ExpositionText.writeValue(value, into: &buffer)
            return String(buffer: buffer)
        }
        let milliseconds = Int64((value * 1000).rounded())
        var text = milliseconds < 0 ? "-" : ""
        let magnitude = milliseconds.magnitude
        text += String(magnitude / 1000)
        var fraction = magnitude % 1000
        guard fraction != 0 else { return text }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(fraction)
        return text + "." + String(repeating: "0", count: digits - padded.count) + padded
    }

    @Test(
        "values rounded to milliseconds: at most three decimals, no trailing zeros, the same text as before",
        arguments: [
            0, 0.001, 0.0004, -0.0004, 0.0005, 1, -1, 499.75, 90000, 0.1, 0.01, 10.5, 123_456.789, -123_456.789, 1e12, 8.999e12, 9e12, -9e12, 1e20,
            .nan, .infinity, -.infinity, Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, .leastNonzeroMagnitude,
        ] as [Double]
    )
    func milliseconds(value: Double) {
        var buffer = ByteBuffer()
        ExpositionText.writeMilliseconds(value, into: &buffer)
        #expect(String(buffer: buffer) == Self.referenceMilliseconds(value))
        #expect(buffer.readableBytes <= ExpositionText.maximumMillisecondsLength)
    }

    @Test("random values are formatted as before")
    func randomMilliseconds() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let value = Double.random(in: -1e10...1e10, using: &generator) / Double([1, 10, 1000, 1e6].randomElement(using: &generator)!)
            var buffer = ByteBuffer()
            ExpositionText.writeMilliseconds(value, into: &buffer)
            #expect(String(buffer: buffer) == Self.referenceMilliseconds(value), "\(value)")
        }
    }

    /// Series of several shapes: what the Windsurf builder makes, and what an adversarial upstream could.
    static func series(_ shape: String) -> AgeSeries {
        let name = "windsurf_user_last_usage_age_seconds"
        var series = AgeSeries(name: name)
        switch shape {
        case "users":
            for user in 0..<3000 {
                for kind in ["autocomplete", "chat", "command"].prefix(user % 3 + 1) {
                    let labels = LabelSet([("team", "acme"), ("group", "platform"), ("email", "user.\(user)@example.com"), ("kind", kind)])
                    series.add(labels: labels, timestamp: 1_700_000_000 + Double(user) * 37.123)
                }
            }
        case "identical":
            for index in 0..<500 { series.add(labels: LabelSet([("kind", "chat")]), timestamp: Double(index)) }
        case "unicode":
            for index in 0..<500 {
                series.add(labels: LabelSet([("name", "Zoë \"Zee\" O'Brien 王 🚀 \(index % 7)\n\\")]), timestamp: 1e9 + Double(index))
            }
        case "long":
            // Prefixes longer than a match (258), than the 16-bit count of shared bytes, and than deflate's window.
            for (index, length) in [300, 300, 70_000, 70_000, 40_000, 40_000, 5, 300].enumerated() {
                let value = String(repeating: "x", count: length) + (index % 3 == 0 ? "" : "\(index)")
                series.add(labels: LabelSet([("a", value)]), timestamp: 1000)
            }
        case "timestamps":
            // Built from a timestamp family's lines, as the Windsurf builder does, sharing their label text.
            var timestamps = FixedSamplesBuilder(MetricFamily("windsurf_user_last_usage_timestamp_seconds", help: "x"))
            for (index, time) in [1.7e9, 1.7e9 + 0.123, 1_700_000_000.000_001, 0, 2e9, .infinity, .nan, 1e300].enumerated() {
                timestamps.add(
                    LabelSet([("team", "acme"), ("email", "a\(index % 3)@example.com"), ("kind", index % 2 == 0 ? "chat" : "a b}{ c")]),
                    time
                )
            }
            timestamps.add(.empty, 1234.5)
            guard case .fixed(let lines) = timestamps.build()!.body else { return series }
            series = AgeSeries(name: name, ageOf: lines)
        case "values":
            // Ages of every form: future timestamps, zero, enormous, not finite.
            for (index, timestamp) in [2e9, 0, -1e15, 1.5e9, .nan, .infinity, -.infinity, 1.7e9 + 0.0004, 1.7e9, 1.7e9].enumerated() {
                series.add(labels: LabelSet([("n", "\(index)")]), timestamp: timestamp)
            }
        default:
            break
        }
        return series
    }

    static let now = 1_800_000_000.25

    @Test(
        "age lines compressed by their own encoder decompress to exactly the plain text, however they are split",
        arguments: ["users", "identical", "unicode", "long", "values", "timestamps", "empty"]
    )
    func ageEncoder(shape: String) throws {
        let series = Self.series(shape)
        var plain = ByteBuffer()
        series.write(into: &plain, now: Self.now)
        let expected = String(buffer: plain)
        var generator = SystemRandomNumberGenerator()
        let count = series.count
        var splits: [[Range<Int>]] = [[0..<count], series.chunks(size: 1000), (0..<count).map { $0..<($0 + 1) }]
        for _ in 0..<3 {
            var bounds = Set((0..<min(count, 6)).map { _ in Int.random(in: 0...max(count, 1), using: &generator) })
            bounds.formUnion([0, count])
            let sorted = bounds.filter { $0 <= count }.sorted()
            splits.append(zip(sorted, sorted.dropFirst()).map { $0..<$1 })
        }
        for ranges in splits {
            // A header before the lines, as in a real body, which no line may point into.
            let header = try GzipStream.piece(ByteBuffer(string: "# TYPE windsurf_user_last_usage_age_seconds gauge\n"), level: 6)
            let pieces = [header] + ranges.map { series.deflatePiece($0, now: Self.now) }
            var stream = ByteBuffer()
            for var buffer in GzipStream.assemble(pieces) { stream.writeBuffer(&buffer) }
            #expect(try gunzip(stream) == "# TYPE windsurf_user_last_usage_age_seconds gauge\n" + expected, "\(shape), \(ranges.count) ranges")
        }
        if shape == "users" {
            var stream = ByteBuffer()
            for var buffer in GzipStream.assemble([series.deflatePiece(0..<count, now: Self.now)]) { stream.writeBuffer(&buffer) }
            // Repeated prefixes are matches: far smaller than the text.
            #expect(stream.readableBytes * 3 < plain.readableBytes)
        }
    }

    @Test("ages of a timestamp family, sharing its label text, are the ages of its timestamps; lines without a number are skipped")
    func agesOfTimestamps() throws {
        let times: [Double] = [1.7e9, 1.7e9 + 0.123, 1_700_000_000.000_001, 0, 2e9, .infinity, -.infinity, .nan, 1e300, .leastNonzeroMagnitude]
        var timestamps = FixedSamplesBuilder(MetricFamily("stamp_seconds", help: "x"))
        var direct = AgeSeries(name: "age_seconds")
        for (index, time) in times.enumerated() {
            let labels = LabelSet([("email", "a\(index)@example.com"), ("kind", "a b}{ \" c\n")])
            timestamps.add(labels, time)
            direct.add(labels: labels, timestamp: time)
        }
        timestamps.add(.empty, 1234.5)
        direct.add(labels: .empty, timestamp: 1234.5)
        guard case .fixed(let lines) = try #require(timestamps.build()).body else { throw ExporterHarness.HarnessError("not fixed lines") }
        let shared = AgeSeries(name: "age_seconds", ageOf: lines)
        #expect(shared.count == times.count + 1)
        var expected = ByteBuffer()
        direct.write(into: &expected, now: Self.now)
        var actual = ByteBuffer()
        shared.write(into: &actual, now: Self.now)
        #expect(String(buffer: actual) == String(buffer: expected))
        #expect(String(buffer: actual).hasPrefix(#"age_seconds{email="a0@example.com",kind="a b}{ \" c\n"} 100000000.25"#))

        let malformed = FixedLines(ByteBuffer(string: "x{a=\"1\"} 12\nno_value\nx{a=\"2\"} twelve\n\nx 3"))
        var text = ByteBuffer()
        AgeSeries(name: "y", ageOf: malformed).write(into: &text, now: 20)
        #expect(String(buffer: text) == "y{a=\"1\"} 8\ny 17\n")
    }
}
