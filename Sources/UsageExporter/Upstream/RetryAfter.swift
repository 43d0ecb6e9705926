/// The `Retry-After` header: a number of seconds, or an HTTP-date (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// How long to wait, or nil when the header is neither form. A date in the past means no wait.
    public static func parse(_ value: String, now: Double) -> Duration? {
        let text = value.trimmingWhitespace
        if let seconds = Int(text) {
            return seconds >= 0 ? .seconds(seconds) : nil
        }
        guard let date = parseHTTPDate(String(text)) else { return nil }
        return .milliseconds(Int64(max(0, date - now) * 1000))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Unix seconds of an IMF-fixdate, the form RFC 9110 requires senders to use.
    static func parseHTTPDate(_ text: String) -> Double? {
        // "Sun, 06 Nov 1994 08:49:37 GMT"
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (1...31).contains(day), hour < 24, minute < 60, second <= 60
        else { return nil }
        let days = RFC3339Timestamp.daysFromCivil(year: year, month: monthIndex + 1, day: day)
        return Double(days * 86_400 + hour * 3600 + minute * 60 + second)
    }
}
