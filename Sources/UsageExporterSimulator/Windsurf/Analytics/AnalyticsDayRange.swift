import UsageExporter

/// The UTC days a request's `start_timestamp`/`end_timestamp` select: day d counts when start ≤ d 00:00 UTC < end
/// (the end is exclusive; a timestamp inside a day leaves that day out at the start and in at the end). An
/// omitted start means the first day with data, an omitted end today included (the docs give no defaults). The
/// range is clamped to the days with data.
enum AnalyticsDayRange {
    static func days(start: String?, end: String?, in analytics: SimulatedWindsurfAnalytics) throws -> Range<Int> {
        func day(_ text: String) throws -> Int {
            guard let seconds = RFC3339Timestamp.parse(text) else { throw WindsurfQueryError.invalidTimestampFormat }
            return Int((seconds / 86_400).rounded(.up))
        }
        let first = try start.map(day) ?? analytics.firstDay
        let last = try end.map(day) ?? analytics.lastDay + 1
        let lower = max(first, analytics.firstDay)
        return lower..<max(lower, min(last, analytics.lastDay + 1))
    }
}
