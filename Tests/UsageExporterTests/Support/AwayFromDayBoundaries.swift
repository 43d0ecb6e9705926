import Foundation
import Testing

/// Runs each test of a suite away from the end of a day: within 90 seconds of 00:00 UTC (where the Windsurf
/// analytics windows move) or 08:00 UTC (where a US Pacific report date begins), it first waits until 5 seconds
/// after the boundary. Tests that generate data for "today", poll, and compare with today's date would otherwise
/// see two different days when one ends during them.
struct AwayFromDayBoundaries: SuiteTrait, TestTrait, TestScoping {
    /// Seconds before a boundary within which a test waits for it to pass.
    static let margin = 90.0

    var isRecursive: Bool { true }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        if !test.isSuite { try await Self.waitIfNearBoundary() }
        try await function()
    }

    static func waitIfNearBoundary(now: Double = Date().timeIntervalSince1970) async throws {
        let day = 86_400.0
        for offset: Double in [0, 8 * 3_600] {
            let daysSinceBoundary = ((now - offset) / day).rounded(.down)
            let next = (daysSinceBoundary + 1) * day + offset
            if next - now < margin {
                try await Task.sleep(for: .seconds(next - now + 5))
                return
            }
        }
    }
}

extension Trait where Self == AwayFromDayBoundaries {
    /// See ``AwayFromDayBoundaries``.
    static var awayFromDayBoundaries: Self { Self() }
}
