/// Every regression metric by name, so bootstrap, slices and non-inferiority tests evaluate
/// "any regression metric" the same way (definitions in `RegressionMetrics`).
public enum RegressionMetric: Codable, Sendable, Hashable {
    case rootMeanSquaredError
    case meanAbsoluteError
    case meanAbsolutePercentageError
    case symmetricMeanAbsolutePercentageError
    case medianAbsoluteError
    case r2
    case explainedVariance
    /// Mean Tweedie deviance: power 1 is the Poisson deviance, 2 the Gamma deviance.
    case tweedieDeviance(power: Double)
    case pinballLoss(quantile: Double)
    /// Calibration in the large: neither direction is better (bounded by `max_abs` in suites).
    case meanResidual
    /// Calibration by decile of the prediction: the largest |mean residual| over the tenths.
    case maxDecileResidual
    case expectedCost(RegressionCosts)

    /// Whether larger values are better (R² and explained variance; the others are errors,
    /// losses or costs; the mean residual is best at 0 and reports false).
    public var higherIsBetter: Bool {
        switch self {
        case .r2, .explainedVariance: return true
        default: return false
        }
    }
}

extension RegressionMetric: ResampledMetric {
    public func evaluate(_ data: RegressionPredictions, multiplicity: [Double]? = nil) throws(EvaluationError) -> MetricValue {
        switch self {
        case .rootMeanSquaredError: return RegressionMetrics.rootMeanSquaredError(data, multiplicity: multiplicity)
        case .meanAbsoluteError: return RegressionMetrics.meanAbsoluteError(data, multiplicity: multiplicity)
        case .meanAbsolutePercentageError: return RegressionMetrics.meanAbsolutePercentageError(data, multiplicity: multiplicity)
        case .symmetricMeanAbsolutePercentageError:
            return RegressionMetrics.symmetricMeanAbsolutePercentageError(data, multiplicity: multiplicity)
        case .medianAbsoluteError: return RegressionMetrics.medianAbsoluteError(data, multiplicity: multiplicity)
        case .r2: return RegressionMetrics.r2(data, multiplicity: multiplicity)
        case .explainedVariance: return RegressionMetrics.explainedVariance(data, multiplicity: multiplicity)
        case .tweedieDeviance(let power): return try RegressionMetrics.tweedieDeviance(data, power: power, multiplicity: multiplicity)
        case .pinballLoss(let quantile): return try RegressionMetrics.pinballLoss(data, quantile: quantile, multiplicity: multiplicity)
        case .meanResidual: return RegressionMetrics.meanResidual(data, multiplicity: multiplicity)
        case .maxDecileResidual: return RegressionMetrics.maxDecileResidual(data, multiplicity: multiplicity)
        case .expectedCost(let costs): return RegressionMetrics.expectedCost(data, costs: costs, multiplicity: multiplicity)
        }
    }
}
