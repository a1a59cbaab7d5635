/// Everything `git ml eval` reports for one model's predictions, each metric computed once with
/// the definitions in docs/STATISTICS.md.
public struct BinaryEvaluation: Codable, Sendable {
    public let rows: Int
    public let positives: Int
    public let totalWeight: Double
    public let rocAUC: MetricValue
    public let averagePrecision: MetricValue
    /// Present when every score is a probability in [0, 1].
    public let logLoss: MetricValue?
    public let brierScore: MetricValue?
    public let expectedCalibrationError: MetricValue?
    /// Reliability curve with 15 uniform bins (the ECE binning), when scores are probabilities.
    public let reliability: ReliabilityCurve?
    /// The operating point (chosen on validation rows) and its metrics on these rows.
    public let operatingPoint: OperatingPoint?
    public let atThreshold: ThresholdMetrics?

    /// Evaluates `data`; threshold metrics only when an operating point is given.
    public init(_ data: BinaryPredictions, operatingPoint: OperatingPoint? = nil, costs: CostMatrix? = nil) throws(EvaluationError) {
        let ranked = RankedPredictions(data)
        let curve = ranked.curve()
        rows = data.count
        positives = data.labels.reduce(0) { $0 + ($1 ? 1 : 0) }
        totalWeight = (0..<data.count).reduce(0) { $0 + data.weight($1) }
        rocAUC = try curve.rocAUC()
        averagePrecision = curve.averagePrecision()
        let probabilities = data.scores.allSatisfy { $0 >= 0 && $0 <= 1 }
        logLoss = probabilities ? try ProbabilityMetrics.logLoss(data) : nil
        brierScore = probabilities ? try ProbabilityMetrics.brierScore(data) : nil
        reliability = probabilities ? try Calibration.reliabilityCurve(data, binning: .uniform(bins: 15)) : nil
        expectedCalibrationError = reliability.map { MetricValue($0.expectedCalibrationError) }
        self.operatingPoint = operatingPoint
        atThreshold = operatingPoint?.evaluate(on: data, costs: costs)
    }
}

/// Everything `git ml eval --compare` reports for two models on the same rows.
public struct ModelComparison: Codable, Sendable {
    /// A metric's paired bootstrap difference (candidate − baseline).
    public struct Difference: Codable, Sendable {
        public let metric: BinaryMetric
        public let bootstrap: BootstrapResult
    }
    public let differences: [Difference]
    /// DeLong test of the AUCs; nil when rows are weighted (DeLong is unweighted).
    public let delong: DeLongTest?
    /// McNemar exact test of the decisions at `threshold`, when one is given.
    public let mcnemar: McNemarTest?

    /// Compares `candidate` with `baseline` (same rows in the same order: align ids with
    /// `RowAlignment.match` first). `clusters` switches the bootstrap to whole entities.
    public init(baseline: BinaryPredictions, candidate: BinaryPredictions, metrics: [BinaryMetric], threshold: Double? = nil,
                clusters: [String]? = nil, plan: BootstrapPlan = BootstrapPlan()) throws(EvaluationError) {
        try Bootstrap.requireSameRows(baseline, candidate)
        let rankedBaseline = RankedPredictions(baseline), rankedCandidate = RankedPredictions(candidate)
        var differences = [Difference]()
        for metric in metrics {
            differences.append(Difference(metric: metric, bootstrap: try Bootstrap.difference(
                metric, baseline: rankedBaseline, candidate: rankedCandidate, clusters: clusters, plan: plan)))
        }
        self.differences = differences
        delong = baseline.weights == nil
            ? try DeLongTest(labels: baseline.labels, baseline: baseline.scores, candidate: candidate.scores) : nil
        mcnemar = try threshold.map { t throws(EvaluationError) in
            try McNemarTest(labels: baseline.labels, baseline: baseline.scores.map { $0 >= t },
                            candidate: candidate.scores.map { $0 >= t })
        }
    }
}
