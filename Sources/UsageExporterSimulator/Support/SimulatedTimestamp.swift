import Foundation

/// A timestamp as an upstream writes it: RFC 3339 in UTC with 0 to 9 fractional digits.
public struct SimulatedTimestamp: Sendable, Hashable {
    public let wholeSeconds: Int64
    /// The fractional digits as written, 0 to 9 of them.
    public let fraction: String

    public init(wholeSeconds: Int64, fraction: String = "") {
        self.wholeSeconds = wholeSeconds
        self.fraction = fraction
    }

    /// A timestamp at `seconds`, written with `digits` fractional digits drawn from `generator`.
    public init(seconds: Double, digits: Int, using generator: inout SeededGenerator) {
        wholeSeconds = Int64(seconds.rounded(.down))
        fraction = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
    }

    /// The Unix seconds an exact parser reads from the text.
    public var value: Double {
        fraction.isEmpty ? Double(wholeSeconds) : Double(wholeSeconds) + Double("0." + fraction)!
    }

    /// `2024-10-10T22:56:10.771591Z`.
    public var text: String {
        let date = Date(timeIntervalSince1970: Double(wholeSeconds))
        let base = date.formatted(.iso8601)
        let withoutZone = base.hasSuffix("Z") ? String(base.dropLast()) : base
        return withoutZone + (fraction.isEmpty ? "" : "." + fraction) + "Z"
    }
}
