/// Which one-sided hypothesis about an improvement Δ (candidate better when Δ > 0) is tested.
public enum MarginHypothesis: String, Codable, Sendable, Hashable {
    /// H₀: Δ ≤ −δ against H₁: Δ > −δ ("not worse by more than δ").
    case nonInferiority
    /// H₀: Δ ≤ δ against H₁: Δ > δ ("better by more than δ").
    case superiority
}

/// A one-sided test of an improvement against a margin δ ≥ 0 at level α.
public struct MarginTest: Codable, Sendable, Hashable {
    public let hypothesis: MarginHypothesis
    public let margin: Double
    public let alpha: Double
    /// The improvement estimate (already oriented so larger is better).
    public let improvement: Double
    /// One-sided p-value of H₀.
    public let pValue: Double
    /// Whether H₀ is rejected (p ≤ α): the claim holds.
    public let rejected: Bool

    /// The bound Δ must exceed under H₁: −δ (non-inferiority) or +δ (superiority).
    static func bound(_ hypothesis: MarginHypothesis, _ margin: Double) -> Double {
        hypothesis == .nonInferiority ? -margin : margin
    }

    /// Normal approximation: z = (Δ − bound) / SE, p = Φ(−z) (e.g. with a DeLong standard error).
    public init(hypothesis: MarginHypothesis, margin: Double, alpha: Double = 0.05, improvement: Double,
                standardError: Double) {
        self.hypothesis = hypothesis
        self.margin = margin
        self.alpha = alpha
        self.improvement = improvement
        let z = (improvement - Self.bound(hypothesis, margin)) / standardError
        pValue = z.isNaN ? 1 : Normal.cdf(-z)
        rejected = pValue <= alpha
    }

    /// Bootstrap version on the replicates of a paired difference (candidate − baseline):
    /// p = (1 + #{Δ* ≤ bound}) / (B + 1). `higherIsBetter` false flips the sign (losses, costs).
    public init(hypothesis: MarginHypothesis, margin: Double, alpha: Double = 0.05, difference: BootstrapResult,
                higherIsBetter: Bool) {
        self.hypothesis = hypothesis
        self.margin = margin
        self.alpha = alpha
        let sign = higherIsBetter ? 1.0 : -1.0
        improvement = sign * difference.estimate
        let bound = Self.bound(hypothesis, margin)
        let atOrBelow = difference.replicates.reduce(0) { $0 + (sign * $1 <= bound ? 1 : 0) }
        pValue = Double(1 + atOrBelow) / Double(difference.replicates.count + 1)
        rejected = pValue <= alpha
    }
}
