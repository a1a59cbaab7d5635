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
    case rmse
    case mae
    case mape
    case smape
    case medianAbsoluteError = "median_ae"
    case r2
    case explainedVariance = "explained_variance"
    case poissonDeviance = "poisson_deviance"
    case gammaDeviance = "gamma_deviance"
    case tweedieDeviance = "tweedie_deviance"
    case pinballLoss = "pinball_loss"
    case meanResidual = "mean_residual"
    /// The share of rows whose target lies within the run's predicted quantiles (`q_<q>`
    /// columns), checked against the interval's nominal level; a guardrail only.
    case intervalCoverage = "interval_coverage"
    /// Calibration by decile of the prediction: the largest |mean residual| over the tenths of
    /// the rows by prediction.
    case maxDecileResidual = "max_decile_residual"
    case errorRate = "error_rate"
    case balancedAccuracy = "balanced_accuracy"
    case f1Macro = "f1_macro"
    case f1Micro = "f1_micro"
    case f1Weighted = "f1_weighted"
    case topKAccuracy = "top_k_accuracy"
    case rocAUCOneVsRest = "roc_auc_ovr"
    case rocAUCOneVsRestWeighted = "roc_auc_ovr_weighted"
    case rocAUCOneVsOne = "roc_auc_ovo"
    case classwiseECE = "classwise_ece"

    /// The tasks whose suites may name the metric (`expected_cost` and latency serve all).
    public var tasks: Set<Suite.Task> {
        switch self {
        case .expectedCost, .latencyP99Microseconds: return [.binary, .regression, .multiclass]
        case .rmse, .mae, .mape, .smape, .medianAbsoluteError, .r2, .explainedVariance, .poissonDeviance, .gammaDeviance,
             .tweedieDeviance, .pinballLoss, .meanResidual, .intervalCoverage, .maxDecileResidual:
            return [.regression]
        case .logLoss, .brier, .ece, .precision, .recall, .accuracy: return [.binary, .multiclass]
        case .errorRate, .balancedAccuracy, .f1Macro, .f1Micro, .f1Weighted, .topKAccuracy, .rocAUCOneVsRest, .rocAUCOneVsRestWeighted,
             .rocAUCOneVsOne, .classwiseECE:
            return [.multiclass]
        default: return [.binary]
        }
    }

    /// Whether the metric decides at a threshold in a binary suite (needs its operating point);
    /// a multiclass suite decides by argmax or its cost matrix, never at a threshold.
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
/// point; `expected_cost` uses the suite's cost matrix (binary) or unit costs (regression).
public struct SuiteMetric: Codable, Sendable, Hashable, CustomStringConvertible {
    public let name: SuiteMetricName
    /// The false-positive-rate limit of `partial_auc` (McClish-standardized), nil otherwise.
    public let maxFPR: Double?
    /// The power of `tweedie_deviance`, nil otherwise.
    public let power: Double?
    /// The quantile α of `pinball_loss`, nil otherwise.
    public let quantile: Double?
    /// The class of a multiclass `precision` or `recall` (`class:`), by name and by index in
    /// the suite's declared classes; nil otherwise.
    public let className: String?
    public let classIndex: Int?
    /// The k of `top_k_accuracy`, nil otherwise.
    public let k: Int?
    /// The lower and upper quantiles of `interval_coverage`'s prediction interval, nil otherwise.
    public let interval: [Double]?
    /// The group column of a gap guardrail (`groups:`): the value is the largest minus the
    /// smallest of the metric over the column's groups; nil for the metric itself.
    public let groups: String?

    public init(name: SuiteMetricName, maxFPR: Double? = nil, power: Double? = nil, quantile: Double? = nil,
                className: String? = nil, classIndex: Int? = nil, k: Int? = nil, interval: [Double]? = nil, groups: String? = nil) {
        self.name = name
        self.maxFPR = maxFPR
        self.power = power
        self.quantile = quantile
        self.className = className
        self.classIndex = classIndex
        self.k = k
        self.interval = interval
        self.groups = groups
    }

    /// The metric on all rows (this metric without `groups`).
    public var ungrouped: SuiteMetric { grouped(by: nil) }

    /// This metric's gap over the groups of `column` (nil: the metric itself).
    public func grouped(by column: String?) -> SuiteMetric {
        SuiteMetric(name: name, maxFPR: maxFPR, power: power, quantile: quantile, className: className, classIndex: classIndex, k: k,
                    interval: interval, groups: column)
    }

    /// The level `interval_coverage` claims (upper − lower quantile); nil for other metrics.
    public var nominalCoverage: Double? {
        guard name == .intervalCoverage, let interval, interval.count == 2 else { return nil }
        return interval[1] - interval[0]
    }

    /// Whether larger values are better (never for a gap between groups).
    public var higherIsBetter: Bool {
        if groups != nil { return false }
        switch name {
        case .rocAUC, .partialAUC, .averagePrecision, .precision, .recall, .f1, .accuracy, .specificity, .mcc, .r2, .explainedVariance,
             .balancedAccuracy, .f1Macro, .f1Micro, .f1Weighted, .topKAccuracy, .rocAUCOneVsRest, .rocAUCOneVsRestWeighted, .rocAUCOneVsOne:
            return true
        default: return false
        }
    }

    /// Whether the metric is a rate or probability in [0, 1] (bounds and margins are checked
    /// against that range).
    public var isRate: Bool {
        switch name {
        case .rocAUC, .partialAUC, .averagePrecision, .ece, .precision, .recall, .f1, .accuracy, .fpr, .specificity, .errorRate,
             .balancedAccuracy, .f1Macro, .f1Micro, .f1Weighted, .topKAccuracy, .rocAUCOneVsRest, .rocAUCOneVsRestWeighted,
             .rocAUCOneVsOne, .classwiseECE, .intervalCoverage:
            return true
        default: return false
        }
    }

    public var description: String {
        if let groups { return "\(ungrouped.description) gap over \(groups)" }
        if let interval, interval.count == 2 { return "\(name.rawValue)(\(interval[0])–\(interval[1]))" }
        if let maxFPR { return "\(name.rawValue)(max_fpr=\(maxFPR))" }
        if let power { return "\(name.rawValue)(power=\(power))" }
        if let quantile { return "\(name.rawValue)(quantile=\(quantile))" }
        if let className { return "\(name.rawValue)(class=\(className))" }
        if let k { return "\(name.rawValue)(k=\(k))" }
        return name.rawValue
    }

    /// The Evaluation metric of a regression suite; nil for latency and for metrics of other tasks.
    public func regressionMetric(costs: RegressionCosts?) -> RegressionMetric? {
        switch name {
        case .rmse: return .rootMeanSquaredError
        case .mae: return .meanAbsoluteError
        case .mape: return .meanAbsolutePercentageError
        case .smape: return .symmetricMeanAbsolutePercentageError
        case .medianAbsoluteError: return .medianAbsoluteError
        case .r2: return .r2
        case .explainedVariance: return .explainedVariance
        case .poissonDeviance: return .tweedieDeviance(power: 1)
        case .gammaDeviance: return .tweedieDeviance(power: 2)
        case .tweedieDeviance: return .tweedieDeviance(power: power ?? 0)
        case .pinballLoss: return .pinballLoss(quantile: quantile ?? 0.5)
        case .meanResidual: return .meanResidual
        case .maxDecileResidual: return .maxDecileResidual
        case .expectedCost: return costs.map { .expectedCost($0) }
        default: return nil
        }
    }

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
        default: return nil
        }
    }

    /// The Evaluation metric of a multiclass suite; nil for latency and for metrics of other tasks.
    public func multiclassMetric(costs: MulticlassCosts?) -> MulticlassMetric? {
        switch name {
        case .logLoss: return .logLoss
        case .accuracy: return .accuracy
        case .errorRate: return .errorRate
        case .balancedAccuracy: return .balancedAccuracy
        case .f1Macro: return .f1(.macro)
        case .f1Micro: return .f1(.micro)
        case .f1Weighted: return .f1(.weighted)
        case .precision: return classIndex.map { .precision(classIndex: $0) }
        case .recall: return classIndex.map { .recall(classIndex: $0) }
        case .topKAccuracy: return k.map { .topKAccuracy(k: $0) }
        case .rocAUCOneVsRest: return .rocAUCOneVsRest(.macro)
        case .rocAUCOneVsRestWeighted: return .rocAUCOneVsRest(.weighted)
        case .rocAUCOneVsOne: return .rocAUCOneVsOne
        case .brier: return .brierScore
        case .ece: return .topLabelCalibrationError
        case .classwiseECE: return .classwiseCalibrationError
        case .expectedCost: return costs.map { .expectedCost($0) }
        default: return nil
        }
    }
}
