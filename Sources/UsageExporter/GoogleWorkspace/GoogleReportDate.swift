/// Report dates: the Reports API counts days in US Pacific time; the exporter uses a fixed UTC−8.
public enum GoogleReportDate {
    static let pacificOffset = -8.0 * 3600

    /// Days since 1970-01-01 of the Pacific date at `time` (Unix seconds).
    public static func day(at time: Double) -> Int {
        Int(flooring: (time + pacificOffset) / 86_400)
    }

    /// `yyyy-mm-dd` of a day number.
    public static func format(_ day: Int) -> String {
        let (year, month, dayOfMonth) = RFC3339Timestamp.civilFromDays(day)
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(dayOfMonth, 2))"
    }

    /// The day number of `yyyy-mm-dd`, or nil.
    public static func parse(_ text: some StringProtocol) -> Int? {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), (1...RFC3339Timestamp.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        return RFC3339Timestamp.daysFromCivil(year: year, month: month, day: day)
    }

    /// Unix seconds of 00:00 UTC−8 on `day`.
    public static func start(of day: Int) -> Double {
        Double(day) * 86_400 - pacificOffset
    }
}
