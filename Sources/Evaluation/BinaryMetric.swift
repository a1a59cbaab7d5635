/// Every binary metric by name, so bootstrap, slices and operating points can evaluate "any
/// metric" the same way. Threshold metrics predict positive when score ≥ `threshold` and use
/// scikit-learn's default `zero_division` ("warn": 0 with a warning).
public enum BinaryMetric: Codable, Sendable, Hashable {
    case rocAUC
    case partialAUC(maxFPR: Double)
    case averagePrecision
    case logLoss
    case brierScore
    case expectedCalibrationError
    case accuracy(threshold: Double)
    case precision(threshold: Double)
    case recall(threshold: Double)
    case f1(threshold: Double)
    case falsePositiveRate(threshold: Double)
    case specificity(threshold: Double)
    case matthewsCorrelation(threshold: Double)
    case expectedCost(threshold: Double, costs: CostMatrix)

    /// Whether larger values are better (false for losses, costs and error rates).
    public var higherIsBetter: Bool {
        switch self {
        case .logLoss, .brierScore, .expectedCalibrationError, .falsePositiveRate, .expectedCost: return false
        default: return true
        }
    }

    /// The metric on `ranked` rows, each row's weight scaled by `multiplicity[row]` when given.
    public func evaluate(_ ranked: RankedPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        let data = ranked.predictions
        switch self {
        case .rocAUC: return ranked.rocAUC(multiplicity: multiplicity)
        case .partialAUC(let maxFPR): return try ranked.curve(multiplicity: multiplicity).rocAUC(maxFPR: maxFPR)
        case .averagePrecision: return ranked.curve(multiplicity: multiplicity).averagePrecision()
        case .logLoss: return try ProbabilityMetrics.logLoss(data, multiplicity: multiplicity)
        case .brierScore: return try ProbabilityMetrics.brierScore(data, multiplicity: multiplicity)
        case .expectedCalibrationError: return try Calibration.expectedCalibrationError(data, multiplicity: multiplicity)
        case .accuracy(let t): return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).accuracy
        case .precision(let t): return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).precision()
        case .recall(let t): return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).recall()
        case .f1(let t): return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).f1()
        case .falsePositiveRate(let t):
            return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).falsePositiveRate()
        case .specificity(let t): return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).specificity()
        case .matthewsCorrelation(let t):
            return ConfusionMatrix(data, threshold: t, multiplicity: multiplicity).matthewsCorrelation
        case .expectedCost(let t, let costs):
            return costs.expectedCost(ConfusionMatrix(data, threshold: t, multiplicity: multiplicity))
        }
    }
}
