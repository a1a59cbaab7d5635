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

    /// The decision threshold of a threshold metric; nil for ranking and probability metrics.
    public var threshold: Double? {
        switch self {
        case .accuracy(let t), .precision(let t), .recall(let t), .f1(let t), .falsePositiveRate(let t), .specificity(let t),
             .matthewsCorrelation(let t), .expectedCost(let t, _):
            return t
        default: return nil
        }
    }

    /// A threshold metric from its confusion counts; nil for ranking and probability metrics.
    public func evaluate(_ confusion: ConfusionMatrix) -> MetricValue? {
        switch self {
        case .accuracy: return confusion.accuracy
        case .precision: return confusion.precision()
        case .recall: return confusion.recall()
        case .f1: return confusion.f1()
        case .falsePositiveRate: return confusion.falsePositiveRate()
        case .specificity: return confusion.specificity()
        case .matthewsCorrelation: return confusion.matthewsCorrelation
        case .expectedCost(_, let costs): return costs.expectedCost(confusion)
        default: return nil
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
        case .accuracy(let t), .precision(let t), .recall(let t), .f1(let t), .falsePositiveRate(let t), .specificity(let t),
             .matthewsCorrelation(let t), .expectedCost(let t, _):
            // Every threshold metric has a value from its confusion counts.
            return evaluate(ConfusionMatrix(data, threshold: t, multiplicity: multiplicity))!
        }
    }
}
