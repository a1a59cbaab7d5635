/// Everything `git ml eval --task regression` reports for one model's predictions, each metric
/// computed once with the definitions in docs/STATISTICS.md ("Regression metrics").
public struct RegressionEvaluation: Codable, Sendable {
    public let rows: Int
    public let totalWeight: Double
    public let rmse: MetricValue
    public let mae: MetricValue
    public let mape: MetricValue
    public let smape: MetricValue
    public let medianAbsoluteError: MetricValue
    public let r2: MetricValue
    public let explainedVariance: MetricValue
    public let meanResidual: MetricValue
    /// Present when the targets and predictions lie in the deviance's domain (Poisson: y ≥ 0,
    /// ŷ > 0; Gamma: y > 0, ŷ > 0).
    public let poissonDeviance: MetricValue?
    public let gammaDeviance: MetricValue?
    /// Pinball loss at each requested quantile, in the order given.
    public let pinball: [Quantile]
    /// Expected cost per row under the given unit costs, when given.
    public let expectedCost: MetricValue?

    /// The pinball loss at one quantile.
    public struct Quantile: Codable, Sendable {
        public let quantile: Double
        public let loss: MetricValue
    }

    public init(_ data: RegressionPredictions, quantiles: [Double] = [], costs: RegressionCosts? = nil) throws(EvaluationError) {
        rows = data.count
        totalWeight = data.totalWeight(Array(0..<data.count))
        let moments = RegressionMoments(data)
        rmse = moments.rootMeanSquaredError
        mae = moments.meanAbsoluteError
        mape = RegressionMetrics.meanAbsolutePercentageError(data)
        smape = RegressionMetrics.symmetricMeanAbsolutePercentageError(data)
        medianAbsoluteError = RegressionMetrics.medianAbsoluteError(data)
        r2 = moments.r2
        explainedVariance = moments.explainedVariance
        meanResidual = moments.meanResidual
        poissonDeviance = try? RegressionMetrics.tweedieDeviance(data, power: 1)
        gammaDeviance = try? RegressionMetrics.tweedieDeviance(data, power: 2)
        var pinball = [Quantile]()
        for quantile in quantiles { pinball.append(Quantile(quantile: quantile, loss: try RegressionMetrics.pinballLoss(data, quantile: quantile))) }
        self.pinball = pinball
        expectedCost = costs.map { RegressionMetrics.expectedCost(data, costs: $0) }
    }
}
