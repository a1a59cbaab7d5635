import Evaluation

/// A metric a suite or gate policy names, by its YAML name.
public enum SuiteMetricName: String, Codable, Sendable, CaseIterable {
    case rocAUC = "roc_auc"
    case partialAUC = "partial_auc"
    case averagePrecision = "average_precision"
    case logLoss = "log_loss"
    case brier
    case ece
    case precision
    case recall
    case f1
    case accuracy
    case fpr
    case specificity
    case mcc
    case expectedCost = "expected_cost"
    /// The 99th-percentile inference latency in microseconds; its value is supplied by the caller.
    case latencyP99Microseconds = "latency_p99_us"

    /// Whether the metric decides at a threshold (needs the suite's operating point).
    public var needsThreshold: Bool {
        switch self {
        case .precision, .recall, .f1, .accuracy, .fpr, .specificity, .mcc, .expectedCost: return true
        default: return false
        }
    }

    /// Whether the metric is computed from predictions (false for latency).
    public var isComputedFromPredictions: Bool { self != .latencyP99Microseconds }
}

/// A metric of a suite: its name and parameters. Threshold metrics use the suite's operating
/// point; `expected_cost` uses the suite's cost matrix.
public struct SuiteMetric: Codable, Sendable, Hashable, CustomStringConvertible {
    public let name: SuiteMetricName
    /// The false-positive-rate limit of `partial_auc` (McClish-standardized), nil otherwise.
    public let maxFPR: Double?

    public init(name: SuiteMetricName, maxFPR: Double? = nil) {
        self.name = name
        self.maxFPR = maxFPR
    }

    /// Whether larger values are better.
    public var higherIsBetter: Bool {
        switch name {
        case .logLoss, .brier, .ece, .fpr, .expectedCost, .latencyP99Microseconds: return false
        default: return true
        }
    }

    public var description: String { maxFPR.map { "\(name.rawValue)(max_fpr=\($0))" } ?? name.rawValue }

    /// The Evaluation metric deciding at `threshold` (ignored by threshold-free metrics); nil
    /// for latency, which is not computed from predictions.
    public func binaryMetric(threshold: Double, costs: CostMatrix?) -> BinaryMetric? {
        switch name {
        case .rocAUC: return .rocAUC
        case .partialAUC: return .partialAUC(maxFPR: maxFPR ?? 1)
        case .averagePrecision: return .averagePrecision
        case .logLoss: return .logLoss
        case .brier: return .brierScore
        case .ece: return .expectedCalibrationError
        case .precision: return .precision(threshold: threshold)
        case .recall: return .recall(threshold: threshold)
        case .f1: return .f1(threshold: threshold)
        case .accuracy: return .accuracy(threshold: threshold)
        case .fpr: return .falsePositiveRate(threshold: threshold)
        case .specificity: return .specificity(threshold: threshold)
        case .mcc: return .matthewsCorrelation(threshold: threshold)
        case .expectedCost: return costs.map { .expectedCost(threshold: threshold, costs: $0) }
        case .latencyP99Microseconds: return nil
        }
    }
}
