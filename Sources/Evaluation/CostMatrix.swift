/// The cost of each outcome of a binary decision (any units, e.g. currency per row).
public struct CostMatrix: Codable, Sendable, Hashable {
    public let truePositive: Double
    public let falsePositive: Double
    public let trueNegative: Double
    public let falseNegative: Double

    public init(truePositive: Double = 0, falsePositive: Double, trueNegative: Double = 0, falseNegative: Double) {
        self.truePositive = truePositive
        self.falsePositive = falsePositive
        self.trueNegative = trueNegative
        self.falseNegative = falseNegative
    }

    /// Expected cost per unit weight: (TP·c_TP + FP·c_FP + TN·c_TN + FN·c_FN) / total.
    public func expectedCost(_ matrix: ConfusionMatrix) -> MetricValue {
        let cost = matrix.truePositives * truePositive + matrix.falsePositives * falsePositive
            + matrix.trueNegatives * trueNegative + matrix.falseNegatives * falseNegative
        return MetricValue(cost / matrix.total)
    }
}
