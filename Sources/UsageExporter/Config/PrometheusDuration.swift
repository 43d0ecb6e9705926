/// Parses and prints durations in Prometheus' syntax: `1y2w3d4h5m6s7ms`, units in that order, each at most once.
public enum PrometheusDuration {
    private static let units: [(suffix: String, milliseconds: Int64)] = [
        ("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1),
    ]

    /// The duration `text` denotes, or nil when it is not Prometheus duration syntax. `0` alone is zero.
    public static func parse(_ text: String) -> Duration? {
        if text == "0" { return .zero }
        var remaining = Substring(text)
        var total: Int64 = 0
        var nextUnit = 0
        guard !remaining.isEmpty else { return nil }
        while !remaining.isEmpty {
            let digits = remaining.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, let number = Int64(digits) else { return nil }
            remaining = remaining.dropFirst(digits.count)
            let letters = remaining.prefix(while: { $0.isASCII && $0.isLetter })
            guard let unitIndex = units.firstIndex(where: { $0.suffix == letters }), unitIndex >= nextUnit else {
                return nil
            }
            remaining = remaining.dropFirst(letters.count)
            let (product, overflow) = number.multipliedReportingOverflow(by: units[unitIndex].milliseconds)
            guard !overflow else { return nil }
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !sumOverflow else { return nil }
            total = sum
            nextUnit = unitIndex + 1
        }
        return .milliseconds(total)
    }

    /// Prints `duration` in the largest units that divide it, e.g. `90m` → `1h30m`.
    public static func format(_ duration: Duration) -> String {
        var milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds == 0 { return "0s" }
        var text = ""
        for unit in units where milliseconds >= unit.milliseconds {
            text += "\(milliseconds / unit.milliseconds)\(unit.suffix)"
            milliseconds %= unit.milliseconds
        }
        return text
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
