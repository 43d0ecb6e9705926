/// Report dates: the Reports API counts days in US Pacific time; the exporter uses a fixed UTC−8.
public enum GoogleReportDate {
    static let pacificOffset = -8.0 * 3600

    /// Days since 1970-01-01 of the Pacific date at `time` (Unix seconds).
    public static func day(at time: Double) -> Int {
        Int(flooring: (time + pacificOffset) / 86_400)
    }

    /// `yyyy-mm-dd` of a day number.
    public static func format(_ day: Int) -> String {
        RFC3339Timestamp.date(ofDay: day)
    }

    /// The day number of `yyyy-mm-dd`, or nil.
    public static func parse(_ text: some StringProtocol) -> Int? {
        RFC3339Timestamp.day(ofDate: text)
    }

    /// Unix seconds of 00:00 UTC−8 on `day`.
    public static func start(of day: Int) -> Double {
        Double(day) * 86_400 - pacificOffset
    }
}
