import Testing

@testable import UsageExporter

@Suite("Prometheus durations")
struct DurationTests {
    @Test(
        "valid forms",
        arguments: [
            ("30s", 30_000), ("15m", 900_000), ("1h", 3_600_000), ("7d", 604_800_000), ("2w", 1_209_600_000),
            ("1y", 31_536_000_000), ("1h30m", 5_400_000), ("500ms", 500), ("1m30s250ms", 90_250), ("0", 0),
        ] as [(String, Int64)]
    )
    func valid(text: String, milliseconds: Int64) {
        #expect(PrometheusDuration.parse(text) == .milliseconds(milliseconds))
    }

    @Test("invalid forms", arguments: ["", "15", "15x", "m", "1.5h", "30m1h", "1h1h", "-5m", "5 m", "1H", "99999999999999999999s"])
    func invalid(text: String) {
        #expect(PrometheusDuration.parse(text) == nil)
    }

    @Test("formatting uses the largest units")
    func format() {
        #expect(PrometheusDuration.format(.seconds(5400)) == "1h30m")
        #expect(PrometheusDuration.format(.seconds(30)) == "30s")
        #expect(PrometheusDuration.format(.milliseconds(1500)) == "1s500ms")
        #expect(PrometheusDuration.format(.zero) == "0s")
    }
}
