/// Validated regression rows: targets, predictions and optional non-negative weights.
public struct RegressionPredictions: Sendable {
    public let targets: [Double]
    public let predictions: [Double]
    public let weights: [Double]?

    public init(targets: [Double], predictions: [Double], weights: [Double]? = nil) throws(EvaluationError) {
        guard !targets.isEmpty else { throw .empty(what: "targets") }
        guard predictions.count == targets.count else {
            throw .lengthMismatch(what: "predictions", expected: targets.count, actual: predictions.count)
        }
        for (row, value) in targets.enumerated() where !value.isFinite { throw .nonFinite(what: "target", row: row, value: value) }
        for (row, value) in predictions.enumerated() where !value.isFinite { throw .nonFinite(what: "prediction", row: row, value: value) }
        if let weights { try BinaryPredictions.validate(weights: weights, rows: targets.count) }
        self.targets = targets
        self.predictions = predictions
        self.weights = weights
    }

    var count: Int { targets.count }

    /// Σ wᵢ·f(i) / Σ wᵢ.
    func weightedMean(_ f: (Int) -> Double) -> Double {
        var sum = 0.0, total = 0.0
        for row in 0..<count {
            let weight = weights?[row] ?? 1
            sum += weight * f(row)
            total += weight
        }
        return sum / total
    }
}

/// Regression metrics with scikit-learn 1.9.1 definitions (weighted means throughout).
public enum RegressionMetrics {
    /// Mean absolute error Σw|y − ŷ| / Σw.
    public static func meanAbsoluteError(_ data: RegressionPredictions) -> MetricValue {
        MetricValue(data.weightedMean { abs(data.targets[$0] - data.predictions[$0]) })
    }

    /// Root mean squared error √(Σw(y − ŷ)² / Σw).
    public static func rootMeanSquaredError(_ data: RegressionPredictions) -> MetricValue {
        MetricValue(data.weightedMean { let e = data.targets[$0] - data.predictions[$0]; return e * e }.squareRoot())
    }

    /// R² = 1 − Σw(y − ŷ)² / Σw(y − ȳ_w)². A constant target gives 1 when predicted exactly,
    /// else 0 (scikit-learn's force_finite); fewer than two rows give NaN with a warning.
    public static func r2(_ data: RegressionPredictions) -> MetricValue {
        guard data.count >= 2 else { return MetricValue(.nan, warnings: [.tooFewSamples]) }
        let mean = data.weightedMean { data.targets[$0] }
        var numerator = 0.0, denominator = 0.0
        for row in 0..<data.count {
            let weight = data.weights?[row] ?? 1
            let residual = data.targets[row] - data.predictions[row]
            let deviation = data.targets[row] - mean
            numerator += weight * residual * residual
            denominator += weight * deviation * deviation
        }
        if denominator == 0 { return MetricValue(numerator == 0 ? 1 : 0) }
        return MetricValue(1 - numerator / denominator)
    }

    /// Mean absolute percentage error Σw·|y − ŷ| / max(|y|, ε) / Σw with ε = 2.22e-16
    /// (a fraction, not a percentage, as scikit-learn).
    public static func meanAbsolutePercentageError(_ data: RegressionPredictions) -> MetricValue {
        MetricValue(data.weightedMean {
            abs(data.predictions[$0] - data.targets[$0]) / max(abs(data.targets[$0]), Double.ulpOfOne)
        })
    }
}
