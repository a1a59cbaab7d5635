/// One quantity's weight Σw, weighted mean x̄ = Σw·x / Σw and scatter Σw(x − x̄)², kept per
/// block of rows and merged without ever forming Σw·x² (whose cancellation loses the digits
/// of a variance when the mean is large next to the spread, e.g. x = 10⁹ + noise).
struct WeightedScatter: Sendable, Equatable {
    var weight = 0.0
    /// NaN when there is no weight.
    var mean = Double.nan
    var scatter = 0.0

    /// The blocks merged in the order given (Chan, Golub and LeVeque's update): x̄ = Σ W_b·x̄_b / W
    /// and Σ_b scatter_b + W_b·(x̄_b − x̄)². Blocks without weight are skipped. The caller fixes
    /// the order, so the result is one value.
    static func merging(_ blocks: [WeightedScatter]) -> WeightedScatter {
        var total = WeightedScatter(), weightedMeans = 0.0
        for block in blocks where block.weight > 0 {
            total.weight += block.weight
            weightedMeans += block.weight * block.mean
        }
        guard total.weight > 0 else { return total }
        total.mean = weightedMeans / total.weight
        for block in blocks where block.weight > 0 {
            let offset = block.mean - total.mean
            total.scatter += block.scatter + block.weight * (offset * offset)
        }
        return total
    }
}
