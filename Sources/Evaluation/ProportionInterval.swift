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

    /// The cluster-robust (Wald) interval of a proportion whose rows come in clusters (the
    /// suite's `entity`: rows of one customer are not independent). With n_g rows and k_g
    /// successes in cluster g of G, N = Σn_g and p̂ = Σk_g/N: se² = G/(G − 1)·Σ_g (k_g − p̂·n_g)²/N²,
    /// and p̂ ± z·se clipped to [0, 1] — statsmodels' OLS of the 0/1 outcome on a constant with
    /// `cov_type="cluster"` (its default small-sample factor G/(G − 1)·(N − 1)/(N − 1), normal
    /// quantiles). When every cluster is one row it is the Wald interval with an n/(n − 1)
    /// variance factor; the Wilson interval stays the one for independent rows.
    /// Throws for unequal lengths, no rows, fewer than two clusters, or a confidence outside (0, 1).
    public static func clustered(outcomes: [Bool], clusters: [String], confidence: Double) throws(EvaluationError) -> ConfidenceInterval {
        guard !outcomes.isEmpty else { throw .empty(what: "trials") }
        guard clusters.count == outcomes.count else {
            throw .lengthMismatch(what: "clusters", expected: outcomes.count, actual: clusters.count)
        }
        guard confidence > 0, confidence < 1 else { throw .invalidParameter(name: "confidence", value: confidence, expected: "in (0, 1)") }
        var index = [String: Int](), rows = [Double](), successes = [Double]()
        for (outcome, cluster) in zip(outcomes, clusters) {
            let g = index[cluster] ?? { index[cluster] = rows.count; rows.append(0); successes.append(0); return rows.count - 1 }()
            rows[g] += 1
            if outcome { successes[g] += 1 }
        }
        guard rows.count >= 2 else {
            throw .invalidParameter(name: "clusters", value: Double(rows.count), expected: "at least 2 distinct entities")
        }
        let n = Double(outcomes.count), p = successes.reduce(0, +) / n, g = Double(rows.count)
        var sum = 0.0
        for (k, size) in zip(successes, rows) { sum += (k - p * size) * (k - p * size) }
        let se = (g / (g - 1) * sum).squareRoot() / n
        let half = Normal.quantile(1 - (1 - confidence) / 2) * se
        return ConfidenceInterval(lower: max(0, p - half), upper: min(1, p + half))
    }
}
