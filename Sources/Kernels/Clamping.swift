extension Int {
    /// `value` rounded toward zero and clamped to `range`; NaN gives `range.lowerBound`.
    ///
    /// For indexes computed from doubles that come from input (histogram bins, quantile ranks):
    /// `Int(_:)` traps on NaN, ±∞ and magnitudes beyond `Int`'s range (a column holding `1e308`
    /// made the span between its extremes infinite and every bin position NaN).
    @inlinable
    public init(clamping value: Double, to range: ClosedRange<Int>) {
        if !(value > Double(range.lowerBound)) {
            self = range.lowerBound
        } else if value >= Double(range.upperBound) {
            self = range.upperBound
        } else {
            self = Int(value)
        }
    }
}
