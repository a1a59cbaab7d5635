/// Cumulative weighted counts at every distinct score, highest score first: at
/// `thresholds[k]`, predicting "positive when score ≥ thresholds[k]" yields `truePositives[k]`
/// and `falsePositives[k]`. ROC AUC, partial AUC, average precision and operating points read it.
public struct BinaryCurve: Sendable, Equatable {
    public let thresholds: [Double]
    public let truePositives: [Double]
    public let falsePositives: [Double]

    /// Total weight of positives and of negatives.
    public var positives: Double { truePositives.last ?? 0 }
    public var negatives: Double { falsePositives.last ?? 0 }

    /// ROC AUC by the trapezoid rule over tie groups (tied scores form one diagonal segment).
    /// With `maxFPR` < 1 the area up to that false positive rate is McClish-standardized
    /// (0.5 non-discriminant, 1 perfect), as scikit-learn's `max_fpr`. NaN when a class is absent.
    public func rocAUC(maxFPR: Double = 1) throws(EvaluationError) -> MetricValue {
        guard maxFPR > 0 && maxFPR <= 1 else {
            throw .invalidParameter(name: "maxFPR", value: maxFPR, expected: "in (0, 1]")
        }
        guard positives > 0 && negatives > 0 else { return MetricValue(.nan, warnings: [.singleClass]) }
        var fpr = [0.0] + falsePositives.map { $0 / negatives }
        var tpr = [0.0] + truePositives.map { $0 / positives }
        if maxFPR == 1 { return MetricValue(Self.trapezoid(x: fpr, y: tpr)) }
        // First point with fpr > maxFPR (numpy searchsorted side="right"); interpolate there.
        let stop = fpr.firstIndex { $0 > maxFPR }!
        let slope = (tpr[stop] - tpr[stop - 1]) / (fpr[stop] - fpr[stop - 1])
        let interpolated = slope * (maxFPR - fpr[stop - 1]) + tpr[stop - 1]
        fpr = Array(fpr[..<stop]) + [maxFPR]
        tpr = Array(tpr[..<stop]) + [interpolated]
        let partial = Self.trapezoid(x: fpr, y: tpr)
        let minArea = 0.5 * maxFPR * maxFPR
        let maxArea = maxFPR
        return MetricValue(0.5 * (1 + (partial - minArea) / (maxArea - minArea)))
    }

    /// Average precision: Σ (recallₖ − recallₖ₋₁) · precisionₖ over distinct thresholds, a step
    /// sum without interpolation. With no positives recall is 1 everywhere and AP is 0.
    public func averagePrecision() -> MetricValue {
        let warnings: [MetricWarning] = positives > 0 && negatives > 0 ? [] : [.singleClass]
        var sum = 0.0
        // Summed from the lowest threshold up, as scikit-learn orders the curve.
        for k in stride(from: thresholds.count - 1, through: 0, by: -1) {
            let predicted = truePositives[k] + falsePositives[k]
            let precision = predicted != 0 ? truePositives[k] / predicted : 0
            let recall = positives > 0 ? truePositives[k] / positives : 1
            let previousRecall = k > 0 ? (positives > 0 ? truePositives[k - 1] / positives : 1) : 0
            sum += (previousRecall - recall) * precision
        }
        return MetricValue(max(0, -sum), warnings: warnings)
    }

    /// Σ (x₁ − x₀)(y₁ + y₀)/2, numpy's `trapezoid`.
    static func trapezoid(x: [Double], y: [Double]) -> Double {
        var area = 0.0
        for i in 1..<x.count { area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0 }
        return area
    }
}
