/// Every multiclass metric by name, so bootstrap, slices and non-inferiority tests evaluate
/// "any multiclass metric" the same way (definitions in `MulticlassMetrics`). Decision metrics
/// (accuracy, error rate, F1, balanced accuracy, per-class precision and recall, expected cost)
/// read the rows' decided classes (`MulticlassPredictions.decisions`).
public enum MulticlassMetric: Codable, Sendable, Hashable {
    case logLoss
    case accuracy
    /// 1 − accuracy: the share of rows decided wrongly (fairness per group).
    case errorRate
    case balancedAccuracy
    case f1(MulticlassMetrics.Average)
    /// Precision and recall of the class at this index of the declared classes.
    case precision(classIndex: Int)
    case recall(classIndex: Int)
    case topKAccuracy(k: Int)
    /// One-vs-rest ROC AUC, macro or weighted.
    case rocAUCOneVsRest(MulticlassMetrics.Average)
    /// Hand–Till one-vs-one ROC AUC.
    case rocAUCOneVsOne
    case brierScore
    case topLabelCalibrationError
    case classwiseCalibrationError
    case expectedCost(MulticlassCosts)

    /// Whether larger values are better (false for losses, calibration errors, error rate and cost).
    public var higherIsBetter: Bool {
        switch self {
        case .logLoss, .errorRate, .brierScore, .topLabelCalibrationError, .classwiseCalibrationError, .expectedCost: return false
        default: return true
        }
    }
}

extension MulticlassMetric: ResampledMetric {
    public func evaluate(_ data: MulticlassPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        if case .rocAUCOneVsOne = self { return try MulticlassMetrics.rocAUCOneVsOne(data, multiplicity: multiplicity) }
        let rows = data.reweighted(multiplicity)
        switch self {
        case .logLoss: return MulticlassMetrics.logLoss(rows)
        case .accuracy: return MulticlassMetrics.accuracy(rows)
        case .errorRate:
            let accuracy = MulticlassMetrics.accuracy(rows)
            return MetricValue(1 - accuracy.value, warnings: accuracy.warnings)
        case .balancedAccuracy: return MulticlassMetrics.balancedAccuracy(rows)
        case .f1(let average): return MulticlassMetrics.f1(rows, average: average)
        case .precision(let k): return MulticlassMetrics.precision(rows, classIndex: k)
        case .recall(let k): return MulticlassMetrics.recall(rows, classIndex: k)
        case .topKAccuracy(let k): return try MulticlassMetrics.topKAccuracy(rows, k: k)
        case .rocAUCOneVsRest(let average): return try MulticlassMetrics.rocAUCOneVsRest(rows, average: average)
        case .rocAUCOneVsOne: return try MulticlassMetrics.rocAUCOneVsOne(rows)
        case .brierScore: return MulticlassMetrics.brierScore(rows)
        case .topLabelCalibrationError: return MulticlassMetrics.topLabelCalibrationError(rows)
        case .classwiseCalibrationError: return MulticlassMetrics.classwiseCalibrationError(rows)
        case .expectedCost(let costs): return try MulticlassMetrics.expectedCost(rows, costs: costs)
        }
    }
}
