import Foundation

/// The time source of polling, retries and staleness: wall-clock Unix seconds, and waiting until a time.
///
/// Production uses ``SystemClock``; tests inject a clock they advance by hand, so that poll schedules,
/// retry waits and staleness are checked without sleeping.
public protocol ExporterClock: Sendable {
    /// Unix seconds now.
    func now() -> Double
    /// Suspends until `deadline` (Unix seconds). Throws `CancellationError` when the task is cancelled first.
    func sleep(until deadline: Double) async throws
}

/// The system's clock: `Date` for the time, `Task.sleep` for waiting.
public struct SystemClock: ExporterClock {
    public init() {}

    public func now() -> Double { Date().timeIntervalSince1970 }

    public func sleep(until deadline: Double) async throws {
        let delay = deadline - now()
        guard delay > 0 else {
            try Task.checkCancellation()
            return
        }
        try await Task.sleep(for: Duration.seconds(clamping: delay))
    }
}

extension Duration {
    /// The longest wait the exporter ever schedules: a year. Longer or non-finite values are clamped to it.
    static let longestWait = Duration.seconds(365 * 86_400)

    /// `seconds` as a duration, clamped to 0…`longestWait`; NaN is 0. No input traps.
    public static func seconds(clamping seconds: Double) -> Duration {
        guard seconds.isFinite else { return seconds == .infinity ? longestWait : .zero }
        guard seconds > 0 else { return .zero }
        guard seconds < longestWait.seconds else { return longestWait }
        return .nanoseconds(Int64((seconds * 1e9).rounded()))
    }

    /// Whole nanoseconds, clamped to `Int64`'s range, for APIs that count in nanoseconds.
    public var clampedNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (wholePart, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, sumOverflow) = wholePart.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !sumOverflow else { return seconds < 0 ? .min : .max }
        return total
    }
}
