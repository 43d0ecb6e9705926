import Testing

@testable import UsageExporter

@Suite("RFC 3339 timestamps")
struct TimestampTests {
    @Test(
        "0 to 9 fractional digits",
        arguments: [
            ("2024-10-10T22:56:10Z", 1_728_600_970.0),
            ("2024-10-10T22:56:10.7Z", 1_728_600_970.7),
            ("2024-10-10T22:56:10.77Z", 1_728_600_970.77),
            ("2024-10-10T22:56:10.771Z", 1_728_600_970.771),
            ("2024-10-10T22:56:10.7715Z", 1_728_600_970.7715),
            ("2024-10-10T22:56:10.77159Z", 1_728_600_970.77159),
            ("2024-10-10T22:56:10.771591Z", 1_728_600_970.771591),
            ("2024-10-10T22:56:10.7715912Z", 1_728_600_970.7715912),
            ("2024-10-10T22:56:10.77159123Z", 1_728_600_970.77159123),
            ("2024-10-10T22:56:10.771591234Z", 1_728_600_970.771591234),
        ]
    )
    func fractionalDigits(text: String, expected: Double) throws {
        let parsed = try #require(RFC3339Timestamp.parse(text))
        #expect(abs(parsed - expected) < 1e-6)
    }

    @Test("offsets, lower-case separators, leap years and the epoch")
    func forms() {
        #expect(RFC3339Timestamp.parse("2024-01-15T08:30:00+02:00") == 1_705_300_200)
        #expect(RFC3339Timestamp.parse("2024-01-15T08:30:00-05:30") == 1_705_327_200)
        #expect(RFC3339Timestamp.parse("2024-01-15t06:30:00z") == 1_705_300_200)
        #expect(RFC3339Timestamp.parse("2024-02-29T00:00:00Z") == 1_709_164_800)
        #expect(RFC3339Timestamp.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339Timestamp.parse("1969-12-31T23:59:59Z") == -1)
    }

    @Test(
        "not RFC 3339",
        arguments: [
            "", "2024-10-10", "2024-10-10T22:56:10", "2024-10-10T22:56:10.Z", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
            "2024-10-10T25:00:00Z", "2024-10-10T22:56:10Zjunk", "yesterday", "2024-10-10T22:56:10+0200", "1728600970",
        ]
    )
    func rejects(text: String) {
        #expect(RFC3339Timestamp.parse(text) == nil)
    }

    @Test("formatting round-trips whole seconds")
    func formatting() {
        #expect(RFC3339Timestamp.format(1_728_600_970.77) == "2024-10-10T22:56:10Z")
        #expect(RFC3339Timestamp.format(0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339Timestamp.format(-1) == "1969-12-31T23:59:59Z")
        for seconds in stride(from: -100_000_000.0, through: 4_000_000_000, by: 12_345_678.0) {
            #expect(RFC3339Timestamp.parse(RFC3339Timestamp.format(seconds)) == seconds)
        }
    }

    @Test("Retry-After as seconds or an HTTP-date")
    func retryAfter() {
        let now = 784_111_777.0  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .seconds(0))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("soon", now: now) == nil)
    }
}
