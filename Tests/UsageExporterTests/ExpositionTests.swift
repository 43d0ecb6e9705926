import NIOCore
import Testing

@testable import UsageExporter

@Suite("Exposition text")
struct ExpositionTests {
    @Test("label values escape backslash, double quote and line feed, nothing else")
    func labelEscaping() {
        #expect(ExpositionText.escapeLabelValue(#"a\b"#) == #"a\\b"#)
        #expect(ExpositionText.escapeLabelValue(#"say "hi""#) == #"say \"hi\""#)
        #expect(ExpositionText.escapeLabelValue("line\nbreak") == #"line\nbreak"#)
        #expect(ExpositionText.escapeLabelValue("tab\tand 王伟 🚀 é") == "tab\tand 王伟 🚀 é")
        #expect(ExpositionText.escapeLabelValue(#"\"#) == #"\\"#)
    }

    @Test("help text escapes backslash and line feed but not quotes")
    func helpEscaping() {
        #expect(ExpositionText.escapeHelp("a \"quoted\" \\ path\nnext") == #"a "quoted" \\ path\nnext"#)
    }

    @Test(
        "values: integers without a fraction, floats as Swift prints them, special values as Prometheus reads them",
        arguments: [
            (0.0, "0"), (-0.0, "0"), (1.0, "1"), (-42.0, "-42"), (125.0, "125"), (1_795_405_392.0, "1795405392"),
            (0.5, "0.5"), (123.45, "123.45"), (1_795_405_392.21, "1795405392.21"), (9_007_199_254_740_992, "9007199254740992"), (1e300, "1e+300"),
            (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"), (Double.nan, "NaN"),
        ]
    )
    func valueFormatting(value: Double, expected: String) {
        #expect(ExpositionText.formatValue(value) == expected)
        var buffer = ByteBuffer()
        ExpositionText.writeValue(value, into: &buffer)
        #expect(String(buffer: buffer) == expected)
    }

    @Test("integers are written digit for digit", arguments: [Int64(0), 7, 10, 999, -1, -1_000_000, Int64.max, Int64.min + 1])
    func integerWriting(value: Int64) {
        var buffer = ByteBuffer()
        ExpositionText.writeInteger(value, into: &buffer)
        #expect(String(buffer: buffer) == String(value))
    }

    @Test(
        "ages are written in seconds rounded to milliseconds",
        arguments: [
            (0.0, "0"), (90_000.0, "90000"), (499.75, "499.75"), (0.0004, "0"), (0.0005, "0.001"), (1.2346, "1.235"), (1.2, "1.2"),
            (12.05, "12.05"), (-0.25, "-0.25"), (-3.0, "-3"), (1_795_405_392.123456, "1795405392.123"), (Double.nan, "NaN"),
        ]
    )
    func milliseconds(value: Double, expected: String) {
        var buffer = ByteBuffer()
        ExpositionText.writeMilliseconds(value, into: &buffer)
        #expect(String(buffer: buffer) == expected)
    }

    @Test("a label set is rendered once, in order, and can be extended")
    func labelSets() {
        let base = LabelSet([("team", "acme"), ("email", "a\"b@example.com")])
        #expect(base.rendered == #"{team="acme",email="a\"b@example.com"}"#)
        #expect(base.adding([("kind", "chat")]).rendered == #"{team="acme",email="a\"b@example.com",kind="chat"}"#)
        #expect(LabelSet.empty.rendered == "")
        #expect(LabelSet.empty.adding([("a", "1")]).rendered == #"{a="1"}"#)
    }

    @Test("families of several sources merge under one header, sorted by name; empty families are not written")
    func planMergesAndSorts() {
        func family(_ name: String, _ team: String, _ value: Double) -> FamilySamples {
            var builder = FixedSamplesBuilder(MetricFamily(name, help: "Help for \(name)\nwith a \\ backslash."))
            builder.add(LabelSet([("team", team)]), value)
            return builder.build()!
        }
        #expect(FixedSamplesBuilder(MetricFamily("empty", help: "x")).build() == nil)
        let plan = ExpositionPlan(families: [family("b_metric", "one", 1), family("a_metric", "one", 2.5), family("b_metric", "two", 3)])
        var buffer = ByteBuffer()
        plan.write(into: &buffer, now: 0)
        #expect(
            String(buffer: buffer) == """
                # HELP a_metric Help for a_metric\\nwith a \\\\ backslash.
                # TYPE a_metric gauge
                a_metric{team="one"} 2.5
                # HELP b_metric Help for b_metric\\nwith a \\\\ backslash.
                # TYPE b_metric gauge
                b_metric{team="one"} 1
                b_metric{team="two"} 3

                """
        )
    }

    @Test("ages and window counts are computed at write time")
    func scrapeTimeValues() {
        var ages = AgeSeries(name: "age_seconds")
        ages.add(labels: LabelSet([("email", "a")]), timestamp: 1000)
        ages.add(labels: LabelSet([("email", "b")]), timestamp: 1500.25)
        var counts = WindowCountSeries()
        let times: [Double] = [100, 900, 1000, 1990]
        counts.add(name: "active", labels: LabelSet([("window", "short")]), window: 100, sortedTimestamps: times)
        counts.add(name: "active", labels: LabelSet([("window", "long")]), window: 1000, sortedTimestamps: times)
        let plan = ExpositionPlan(families: [
            FamilySamples(family: MetricFamily("age_seconds", help: "Age."), body: .ageSince(ages)),
            FamilySamples(family: MetricFamily("active", help: "Active."), body: .countWithin(counts)),
        ])
        var first = ByteBuffer()
        plan.write(into: &first, now: 2000)
        #expect(
            String(buffer: first) == """
                # HELP active Active.
                # TYPE active gauge
                active{window="short"} 1
                active{window="long"} 2
                # HELP age_seconds Age.
                # TYPE age_seconds gauge
                age_seconds{email="a"} 1000
                age_seconds{email="b"} 499.75

                """
        )
        var later = ByteBuffer()
        plan.write(into: &later, now: 2500)
        #expect(String(buffer: later).contains(#"age_seconds{email="a"} 1500"#))
        #expect(String(buffer: later).contains(#"active{window="long"} 1"#))
    }

    @Test(
        "counting below a threshold in a sorted list",
        arguments: [
            ([], 5.0, 0), ([1.0, 2, 3], 0, 0), ([1.0, 2, 3], 2, 1), ([1.0, 2, 3], 2.5, 2), ([1.0, 2, 3], 10, 3), ([1.0, 1, 1], 1, 0),
        ]
    )
    func countBelow(sorted: [Double], threshold: Double, expected: Int) {
        #expect(WindowCountSeries.countBelow(threshold, in: sorted) == expected)
    }
}
