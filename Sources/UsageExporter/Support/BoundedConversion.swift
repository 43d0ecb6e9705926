extension Int {
    /// `value` rounded down and clamped to ±2^53 (well inside `Int`'s range, and exact in a `Double`); NaN is 0.
    /// Every conversion of a floating-point number to an integer goes through here, so none can trap.
    init(flooring value: Double) {
        let limit = 9_007_199_254_740_992.0
        guard !value.isNaN else {
            self = 0
            return
        }
        self = Int(Swift.min(Swift.max(value.rounded(.down), -limit), limit))
    }
}
