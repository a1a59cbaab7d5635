import Foundation

/// Confidence intervals of a proportion (successes out of trials) that need no resampling.
public enum ProportionInterval {
    /// The Wilson score interval at two-sided `confidence` (statsmodels
    /// `proportion_confint(successes, trials, alpha = 1 − confidence, method="wilson")`):
    /// with p̂ = s/n and z the normal quantile at 1 − α/2, the centre (p̂ + z²/2n)/(1 + z²/n)
    /// ± z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²). It stays inside [0, 1] and is not degenerate at
    /// p̂ = 0 or 1, which is why a class's recall on few rows gets it. Nil without trials.
    public static func wilson(successes: Double, trials: Double, confidence: Double) -> ConfidenceInterval? {
        guard trials > 0, successes >= 0, successes <= trials else { return nil }
        let z = Normal.quantile(1 - (1 - confidence) / 2), z2 = z * z
        let p = successes / trials
        let denominator = 1 + z2 / trials
        let centre = (p + z2 / (2 * trials)) / denominator
        let half = z / denominator * (p * (1 - p) / trials + z2 / (4 * trials * trials)).squareRoot()
        return ConfidenceInterval(lower: max(0, centre - half), upper: min(1, centre + half))
    }
}
