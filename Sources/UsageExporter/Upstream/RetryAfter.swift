/// The `Retry-After` header: a number of seconds, or an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`).
///
/// The header comes from outside (the upstream, or anything between it and us), so every value is bounded:
/// the wait is capped at ``maximum`` (an hour), a date in the past means no wait, and no year, however far
/// in the future or the past, can overflow the arithmetic.
public enum RetryAfter {
    /// The longest wait a `Retry-After` can ask for; longer values are capped to it.
    public static let maximum = Duration.seconds(3600)
    /// Longer header values are not read at all: both forms fit in 29 characters.
    static let maximumLength = 64

    /// How long to wait, or nil when the header is neither form.
    public static func parse(_ value: String, now: Double) -> Duration? {
        guard value.utf8.count <= maximumLength else { return nil }
        let text = value.trimmingWhitespace
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Digits only: a number of seconds, possibly too large for an integer.
            guard let seconds = Int(text), seconds < Int(maximum.components.seconds) else { return maximum }
            return .seconds(seconds)
        }
        guard let date = parseHTTPDate(String(text)) else { return nil }
        return .seconds(clamping: min(date - now, maximum.seconds))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds of an IMF-fixdate, the form RFC 9110 requires senders to use. Years are clamped to
    /// 0…10000, which keeps the arithmetic in range and still reads as far past or far future.
    static func parseHTTPDate(_ text: String) -> Double? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])),
            !parts[3].isEmpty, parts[3].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let year = Int(parts[3]).map { min($0, 10_000) } ?? 10_000
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
            (1...31).contains(day), (0..<24).contains(hour), (0..<60).contains(minute), (0...60).contains(second)
        else { return nil }
        let days = RFC3339Timestamp.daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Double(days) * 86_400 + Double(hour * 3600 + minute * 60 + second)
    }
}
