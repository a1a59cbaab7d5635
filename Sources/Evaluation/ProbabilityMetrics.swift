import Foundation

/// Proper scoring rules on predicted probabilities of the positive class.
public enum ProbabilityMetrics {
    /// Weighted mean negative log-likelihood. Probabilities are clipped to [ε, 1 − ε] with
    /// ε = `Double.ulpOfOne` (2.22e-16, numpy's float64 eps), as scikit-learn 1.9.1 clips at the
    /// float type's epsilon; the complement 1 − p is clipped the same way.
    public static func logLoss(_ data: BinaryPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        try data.requireProbabilities()
        let eps = Double.ulpOfOne
        return MetricValue(weightedMean(data, multiplicity) { row in
            let p = data.scores[row]
            return data.labels[row] ? -log(min(max(p, eps), 1 - eps)) : -log(min(max(1 - p, eps), 1 - eps))
        })
    }

    /// Weighted mean of (y − p)², computed as scikit-learn's binary Brier score:
    /// ½ · ((1−y − (1−p))² + (y − p)²).
    public static func brierScore(_ data: BinaryPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        try data.requireProbabilities()
        let mean = weightedMean(data, multiplicity) { row in
            let y = data.labels[row] ? 1.0 : 0.0
            let p = data.scores[row]
            let complement = (1 - y) - (1 - p)
            let direct = y - p
            return complement * complement + direct * direct
        }
        return MetricValue(mean * 0.5)
    }

    /// Σ wᵢ·f(i) / Σ wᵢ with wᵢ the row weight times its multiplicity.
    static func weightedMean(_ data: BinaryPredictions, _ multiplicity: [Double]?, _ f: (Int) -> Double) -> Double {
        var sum = 0.0, total = 0.0
        for row in 0..<data.count {
            let weight = data.weight(row) * (multiplicity?[row] ?? 1)
            if weight == 0 { continue }
            sum += weight * f(row)
            total += weight
        }
        return sum / total
    }
}
