/// One entry of `analytics_windows`: the N complete UTC days before today, `start` = today 00:00 UTC − N
/// days (inclusive), `end` = today 00:00 UTC (exclusive).
public struct WindsurfAnalyticsWindow: Sendable, Equatable {
    public let days: Int
    /// Unix seconds of the first day's 00:00 UTC.
    public let start: Double
    /// Unix seconds of today's 00:00 UTC: the first instant after the window.
    public let end: Double

    /// The window of `days` days at `now` (Unix seconds).
    public init(days: Int, now: Double) {
        self.days = days
        end = Double(RFC3339Timestamp.day(at: now)) * 86_400
        start = end - Double(days) * 86_400
    }

    /// The `window` label: `7d`, `30d`.
    public var label: String { "\(days)d" }

    /// Whether a row dated at `time` (Unix seconds of its day) falls within the window's days.
    public func contains(_ time: Double) -> Bool { time >= start && time < end }

    /// `YYYY-MM-DD` of the first and the last day, for the custom API's inclusive `date` filters.
    public var firstDate: String { RFC3339Timestamp.date(ofDay: RFC3339Timestamp.day(at: start)) }
    public var lastDate: String { RFC3339Timestamp.date(ofDay: RFC3339Timestamp.day(at: end) - 1) }
}
