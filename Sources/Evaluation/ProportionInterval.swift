import Foundation

/// Confidence intervals of a proportion (successes out of trials) that need no resampling.
public enum ProportionInterval {
    /// The Wilson score interval at two-sided `confidence` (statsmodels
    /// `proportion_confint(successes, trials, alpha = 1 − confidence, method="wilson")`):
    /// with p̂ = s/n and z the normal quantile at 1 − α/2, the centre (p̂ + z²/2n)/(1 + z²/n)
    /// ± z/(1 + z²/n)·√(p̂(1 − p̂)/n + z²/4n²). It stays inside [0, 1] and is not degenerate at
    /// p̂ = 0 or 1, which is why a class's recall on few rows and an interval coverage get it.
    /// Throws without trials, or for successes outside 0…trials or a confidence outside (0, 1).
    public static func wilson(successes: Int, trials: Int, confidence: Double) throws(EvaluationError) -> ConfidenceInterval {
        guard trials > 0 else { throw .empty(what: "trials") }
        guard successes >= 0, successes <= trials else {
            throw .invalidParameter(name: "successes", value: Double(successes), expected: "0 to \(trials)")
        }
        guard confidence > 0, confidence < 1 else { throw .invalidParameter(name: "confidence", value: confidence, expected: "in (0, 1)") }
        let n = Double(trials), p = Double(successes) / n
        let z = Normal.quantile(1 - (1 - confidence) / 2), z2 = z * z
        let denominator = 1 + z2 / n
        let centre = (p + z2 / (2 * n)) / denominator
        let half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()
        return ConfidenceInterval(lower: max(0, centre - half), upper: min(1, centre + half))
    }
}
