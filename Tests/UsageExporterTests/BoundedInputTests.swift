import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import UsageExporter

/// Every number taken from outside, converted with bounds: each conversion site with extreme values.
@Suite("Bounded input")
struct BoundedInputTests {
    static let now = 1_800_000_000.0

    struct RetryAfterCase: Sendable, CustomTestStringConvertible {
        let header: String
        let wait: Duration?
        var testDescription: String { "Retry-After: \(header.prefix(60))" }
    }

    @Test(
        "Retry-After: seconds and HTTP-dates, capped at an hour, far future and far past, never a trap",
        arguments: [
            RetryAfterCase(header: "120", wait: .seconds(120)),
            RetryAfterCase(header: " 7 ", wait: .seconds(7)),
            RetryAfterCase(header: "0", wait: .zero),
            RetryAfterCase(header: "3599", wait: .seconds(3599)),
            RetryAfterCase(header: "3601", wait: .seconds(3600)),
            RetryAfterCase(header: "9223372036854775807", wait: .seconds(3600)),
            RetryAfterCase(header: "99999999999999999999999999999999", wait: .seconds(3600)),
            RetryAfterCase(header: "-5", wait: nil),
            RetryAfterCase(header: "1.5", wait: nil),
            RetryAfterCase(header: "NaN", wait: nil),
            RetryAfterCase(header: "", wait: nil),
            RetryAfterCase(header: "soon", wait: nil),
            RetryAfterCase(header: "Sun, 06 Nov 999999999999 08:49:37 GMT", wait: .seconds(3600)),
            RetryAfterCase(header: "Sun, 06 Nov 99999999999999999999999999 08:49:37 GMT", wait: .seconds(3600)),
            RetryAfterCase(header: "Sun, 06 Nov 1994 08:49:37 GMT", wait: .zero),
            RetryAfterCase(header: "Mon, 01 Jan 0000 00:00:00 GMT", wait: .zero),
            RetryAfterCase(header: "Fri, 15 Jan 2027 08:00:30 GMT", wait: .seconds(30)),  // now + 30 s
            RetryAfterCase(header: "Fri, 15 Jan 2027 09:00:00 GMT", wait: .seconds(3600)),  // now + 1 h exactly
            RetryAfterCase(header: "Fri, 15 Jan 2027 25:00:00 GMT", wait: nil),
            RetryAfterCase(header: "Fri, 15 Jan -2027 08:00:30 GMT", wait: nil),
            RetryAfterCase(header: "Fri, 15 Jan 2027 08:00:30 UTC", wait: nil),
            RetryAfterCase(header: String(repeating: "9", count: 10_000), wait: nil),
        ]
    )
    func retryAfter(_ test: RetryAfterCase) {
        // 2027-01-15T08:00:00Z
        #expect(RetryAfter.parse(test.header, now: 1_800_000_000) == test.wait)
    }

    @Test("durations from seconds: NaN, infinities, negative and huge values are clamped")
    func durations() {
        #expect(Duration.seconds(clamping: .nan) == .zero)
        #expect(Duration.seconds(clamping: -.infinity) == .zero)
        #expect(Duration.seconds(clamping: -5) == .zero)
        #expect(Duration.seconds(clamping: 1.5) == .milliseconds(1500))
        #expect(Duration.seconds(clamping: .infinity) == .seconds(365 * 86_400))
        #expect(Duration.seconds(clamping: 1e300) == .seconds(365 * 86_400))
        #expect(Duration.seconds(Int64.max).clampedNanoseconds == Int64.max)
        #expect(Duration.seconds(Int64.min).clampedNanoseconds == Int64.min)
        #expect(Duration.seconds(30).clampedNanoseconds == 30_000_000_000)
        #expect(Int(flooring: .nan) == 0)
        #expect(Int(flooring: 1e300) == 9_007_199_254_740_992)
        #expect(Int(flooring: -.infinity) == -9_007_199_254_740_992)
        #expect(Int(flooring: -1.5) == -2)
    }

    @Test("times from outside are formatted and dated without a trap")
    func timeConversions() {
        #expect(RFC3339Timestamp.format(1e300) == "9999-12-31T23:59:59Z")
        #expect(RFC3339Timestamp.format(-1e300) == "0001-01-01T00:00:00Z")
        #expect(RFC3339Timestamp.format(.nan) == "1970-01-01T00:00:00Z")
        #expect(GoogleReportDate.day(at: .infinity) == 9_007_199_254_740_992)
        #expect(GoogleReportDate.day(at: .nan) == 0)
        #expect(LandingPage.time(1e300, now: Self.now).hasPrefix("9999-12-31T23:59:59Z (in "))
        #expect(LandingPage.time(-.infinity, now: Self.now).hasPrefix("0001-01-01T00:00:00Z ("))
    }

    @Test(
        "JSON numbers out of range are decode errors, not traps; in range they keep their value",
        arguments: [
            (#"{"userTableStats":[{"email":"a@x","promptCreditsUsed":1e400}]}"#, false),
            (#"{"userTableStats":[{"email":"a@x","promptCreditsUsed":"1e400"}]}"#, false),
            (#"{"userTableStats":[{"email":"a@x","activeDays":"NaN"}]}"#, false),
            (#"{"userTableStats":[{"email":"a@x","activeDays":"-Infinity"}]}"#, false),
            (#"{"userTableStats":[{"email":"a@x","activeDays":-5,"promptCreditsUsed":"1e308"}]}"#, true),
            (#"{"userTableStats":[{"email":"a@x","activeDays":18446744073709551616}]}"#, true),
            (#"{"userTableStats":[{"email":"a@x","lastChatUsageTime":"99999-01-01T00:00:00Z"}]}"#, false),
        ]
    )
    func jsonNumbers(json: String, decodes: Bool) {
        let page = try? JSONDecoder().decode(WindsurfUserPage.self, from: Data(json.utf8))
        #expect((page != nil) == decodes)
        if let user = page?.users.first {
            #expect(user.activeDays.isFinite && user.promptCreditsUsed.isFinite)
        }
    }

    @Test("a Google intValue far beyond Int64 is a number, not a trap")
    func googleNumbers() throws {
        let page = try JSONDecoder().decode(
            GoogleUsageReportPage.self,
            from: Data(
                """
                {"usageReports":[{"date":"2026-11-01","parameters":[
                  {"name":"accounts:used_quota_in_mb","intValue":"99999999999999999999999999"},
                  {"name":"accounts:num_users","intValue":"-9223372036854775809"}]}]}
                """.utf8
            )
        )
        #expect(page.usageReports[0].parameters[0].value == .int(1e26))
        #expect(page.usageReports[0].parameters[1].value == .int(-9.223_372_036_854_775_808e18))
    }

    @Test("an HTTP-date Retry-After counts from when the answer arrived, on the client's clock")
    func retryAfterFromArrival() {
        var headers = HTTPHeaders()
        headers.add(name: "Retry-After", value: "Fri, 15 Jan 2027 08:00:30 GMT")
        #expect(UpstreamResponse(status: 429, headers: headers, body: ByteBuffer(), receivedAt: 1_800_000_000).retryAfter == .seconds(30))
        #expect(UpstreamResponse(status: 429, headers: headers, body: ByteBuffer(), receivedAt: 1_800_000_020).retryAfter == .seconds(10))
    }
}
