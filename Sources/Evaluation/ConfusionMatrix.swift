import Foundation

/// Weighted counts of a binary decision "score ≥ threshold is positive", and the metrics
/// derived from them with scikit-learn's definitions and `zero_division` handling.
public struct ConfusionMatrix: Codable, Sendable, Hashable {
    public let truePositives: Double
    public let falsePositives: Double
    public let trueNegatives: Double
    public let falseNegatives: Double

    public init(truePositives: Double, falsePositives: Double, trueNegatives: Double, falseNegatives: Double) {
        self.truePositives = truePositives
        self.falsePositives = falsePositives
        self.trueNegatives = trueNegatives
        self.falseNegatives = falseNegatives
    }

    /// Counts rows with weight × multiplicity; a row is predicted positive when its score ≥ `threshold`.
    public init(_ data: BinaryPredictions, threshold: Double, multiplicity: [Double]? = nil) {
        var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
        for row in 0..<data.count {
            let weight = data.weight(row) * (multiplicity?[row] ?? 1)
            switch (data.scores[row] >= threshold, data.labels[row]) {
            case (true, true): tp += weight
            case (true, false): fp += weight
            case (false, false): tn += weight
            case (false, true): fn += weight
            }
        }
        self.init(truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn)
    }

    public var total: Double { truePositives + falsePositives + trueNegatives + falseNegatives }

    /// (TP + TN) / total.
    public var accuracy: MetricValue { MetricValue((truePositives + trueNegatives) / total) }
    /// TP / (TP + FP).
    public func precision(zeroDivision: ZeroDivision = .warn) -> MetricValue {
        zeroDivision.divide(truePositives, truePositives + falsePositives)
    }
    /// TP / (TP + FN), the true positive rate.
    public func recall(zeroDivision: ZeroDivision = .warn) -> MetricValue {
        zeroDivision.divide(truePositives, truePositives + falseNegatives)
    }
    /// 2·TP / (2·TP + FP + FN), scikit-learn's form (no division by precision or recall).
    public func f1(zeroDivision: ZeroDivision = .warn) -> MetricValue {
        zeroDivision.divide(2 * truePositives, (truePositives + falseNegatives) + (truePositives + falsePositives))
    }
    /// FP / (FP + TN).
    public func falsePositiveRate(zeroDivision: ZeroDivision = .warn) -> MetricValue {
        zeroDivision.divide(falsePositives, falsePositives + trueNegatives)
    }
    /// TN / (TN + FP), the true negative rate.
    public func specificity(zeroDivision: ZeroDivision = .warn) -> MetricValue {
        zeroDivision.divide(trueNegatives, trueNegatives + falsePositives)
    }
    /// Matthews correlation with scikit-learn's covariance form; 0 when either marginal is
    /// constant (scikit-learn 1.9.1 returns 0.0 there without a warning).
    public var matthewsCorrelation: MetricValue {
        let n = total
        let trueSums = [trueNegatives + falsePositives, falseNegatives + truePositives]
        let predictedSums = [trueNegatives + falseNegatives, falsePositives + truePositives]
        let correct = truePositives + trueNegatives
        let covTruePredicted = correct * n - (trueSums[0] * predictedSums[0] + trueSums[1] * predictedSums[1])
        let covPredicted = n * n - (predictedSums[0] * predictedSums[0] + predictedSums[1] * predictedSums[1])
        let covTrue = n * n - (trueSums[0] * trueSums[0] + trueSums[1] * trueSums[1])
        let product = covPredicted * covTrue
        return MetricValue(product == 0 ? 0 : covTruePredicted / product.squareRoot())
    }
}
