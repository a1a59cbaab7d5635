/// Interval formulas shared by the bootstrap, matching scipy.stats.bootstrap.
public enum BootstrapIntervals {
    /// Bias-corrected and accelerated interval (Efron 1987) as scipy computes it:
    /// z₀ = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B), a = Σdᵢ³ / (6 (Σdᵢ²)^{3/2}) with dᵢ = θ̄₍.₎ − θ₍ᵢ₎
    /// from the jackknife, αₖ = Φ(z₀ + (z₀ + zₖ)/(1 − a(z₀ + zₖ))) for zₖ = Φ⁻¹(α/2), Φ⁻¹(1 − α/2),
    /// and the bounds are the linear-interpolated αₖ-quantiles of the replicates.
    /// Nil when degenerate (no jackknife spread or all replicates on one side).
    public static func bca(sortedReplicates sorted: [Double], estimate: Double, jackknife: [Double],
                           confidence: Double) -> ConfidenceInterval? {
        guard !sorted.isEmpty, jackknife.count >= 2 else { return nil }
        let below = sorted.reduce(0) { $0 + ($1 < estimate ? 1 : 0) }
        let atOrBelow = sorted.reduce(0) { $0 + ($1 <= estimate ? 1 : 0) }
        let z0 = Normal.quantile(Double(below + atOrBelow) / Double(2 * sorted.count))
        let mean = jackknife.reduce(0, +) / Double(jackknife.count)
        var cubes = 0.0, squares = 0.0
        for value in jackknife {
            let d = mean - value
            cubes += d * d * d
            squares += d * d
        }
        let acceleration = cubes / (6 * pow15(squares))
        let alpha = (1 - confidence) / 2
        let zAlpha = Normal.quantile(alpha)
        func adjusted(_ z: Double) -> Double {
            let numerator = z0 + z
            return Normal.cdf(z0 + numerator / (1 - acceleration * numerator))
        }
        let lowerLevel = adjusted(zAlpha), upperLevel = adjusted(-zAlpha)
        guard lowerLevel.isFinite, upperLevel.isFinite else { return nil }
        return ConfidenceInterval(lower: Quantile.linear(sorted: sorted, lowerLevel),
                                  upper: Quantile.linear(sorted: sorted, upperLevel))
    }

    /// Sample standard deviation (n − 1 denominator).
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return .nan }
        let mean = values.reduce(0, +) / Double(values.count)
        let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (squares / Double(values.count - 1)).squareRoot()
    }

    private static func pow15(_ x: Double) -> Double { x * x.squareRoot() }
}
